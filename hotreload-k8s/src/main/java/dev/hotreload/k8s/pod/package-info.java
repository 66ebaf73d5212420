/**
 * Reaching one container of one pod: {@link dev.hotreload.k8s.pod.PodContainer} (the destination
 * a Kubernetes target creates), running a command in it ({@link dev.hotreload.k8s.pod.PodExec})
 * and forwarding a local port to it ({@link dev.hotreload.k8s.pod.PortForwarder}).
 */
package dev.hotreload.k8s.pod;
