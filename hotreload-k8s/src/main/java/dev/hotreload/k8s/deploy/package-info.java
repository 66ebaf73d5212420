/**
 * Owning what is applied: {@link dev.hotreload.k8s.deploy.Deployer} (server-side apply, rollout,
 * restore) and a session that restores the cluster when it closes.
 */
package dev.hotreload.k8s.deploy;
