/**
 * What the module's packages share and users do not see: {@link
 * dev.hotreload.k8s.internal.NoDelaySockets}. Not public API.
 */
package dev.hotreload.k8s.internal;
