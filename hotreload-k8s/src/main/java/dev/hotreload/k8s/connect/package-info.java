/**
 * Reaching a cluster as kubectl does: {@link dev.hotreload.k8s.connect.KubeConnection} resolves
 * a kubeconfig (file, text or {@code KUBECONFIG}), a context and its namespace into a client.
 */
package dev.hotreload.k8s.connect;
