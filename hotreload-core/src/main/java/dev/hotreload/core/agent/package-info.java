/**
 * The in-container agent as a public API, for every transport (Kubernetes exec, a local process,
 * a third party's): the paths and commands a dev container uses ({@link
 * dev.hotreload.core.agent.AgentLayout}), the install protocol ({@link
 * dev.hotreload.core.agent.AgentProtocol}), delta encoding ({@link
 * dev.hotreload.core.agent.BinaryDelta}), the agent binary for a platform, built from the Go
 * source that ships beside these classes ({@link dev.hotreload.core.agent.AgentBinaries}), and
 * the manifest rewrite that makes the agent a container's command ({@link
 * dev.hotreload.core.agent.AgentManifestTransformer}).
 */
package dev.hotreload.core.agent;
