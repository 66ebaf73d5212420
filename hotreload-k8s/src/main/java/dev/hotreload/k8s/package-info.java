/**
 * Kubernetes support: targets that track pods, the exec transport into the in-container agent,
 * manifest rewriting, deployment and port-forwarding. Kubernetes client types never appear in the
 * api or core modules.
 */
package dev.hotreload.k8s;
