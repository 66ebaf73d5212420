/**
 * The TRANSFER and RESTART phases on Kubernetes: {@link dev.hotreload.k8s.exec.ExecTransport}
 * installs through the agent over exec (deltas, one long-lived exec per container), {@link
 * dev.hotreload.k8s.exec.TarExecTransport} streams tar for the seed design.
 */
package dev.hotreload.k8s.exec;
