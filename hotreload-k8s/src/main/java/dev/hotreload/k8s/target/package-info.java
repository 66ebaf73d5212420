/**
 * Where the binary goes on Kubernetes: {@link dev.hotreload.k8s.target.KubernetesTarget} (a pod,
 * a workload or a selector), with the pod watcher that reports new, replaced and restarted
 * containers and the follower that streams their logs to the listeners.
 */
package dev.hotreload.k8s.target;
