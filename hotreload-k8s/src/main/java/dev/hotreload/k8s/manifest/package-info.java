/**
 * Rewriting a user's manifests for dev mode without losing their text: which containers run the
 * built image ({@link dev.hotreload.k8s.manifest.ImageMatcher}), the workload kinds and their pod
 * templates, and editing YAML nodes in place ({@link dev.hotreload.k8s.manifest.ManifestRewriter}).
 */
package dev.hotreload.k8s.manifest;
