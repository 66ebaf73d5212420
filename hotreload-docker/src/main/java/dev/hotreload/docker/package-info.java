/**
 * Hot reload into containers of a Docker engine: {@link dev.hotreload.docker.DockerDevImage}
 * builds the dev image (the Go binary under the hotreload agent) and loads it into the engine,
 * {@link dev.hotreload.docker.DockerTarget} follows the containers started from it (a
 * Testcontainers {@code GenericContainer}, or any container by id or name), and {@link
 * dev.hotreload.docker.DockerExecTransport} delivers each build through Docker's exec API with
 * the agent's protocol: deltas, ordered installs and readiness as on Kubernetes.
 */
package dev.hotreload.docker;
