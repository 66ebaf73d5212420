/**
 * Owning the whole Kubernetes dev session: {@link dev.hotreload.k8s.dev.KubernetesDev} goes from
 * a Go workspace and its manifests to live, reloading pods (build, dev image, rewrite, apply,
 * rollout, one reload session per service, port-forwards) and {@link
 * dev.hotreload.k8s.dev.DevSession} restores the cluster when it closes.
 */
package dev.hotreload.k8s.dev;
