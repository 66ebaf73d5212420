/**
 * A dev session in a K3s cluster that Testcontainers runs ({@code K3sContainer}): {@link
 * dev.hotreload.k3s.K3sDev} gives {@link dev.hotreload.k8s.dev.KubernetesDev} the cluster's
 * kubeconfig and imports the dev images into the node's containerd, since the node cannot reach
 * a registry on this machine's loopback.
 */
package dev.hotreload.k3s;
