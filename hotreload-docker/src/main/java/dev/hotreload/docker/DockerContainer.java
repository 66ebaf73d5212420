package dev.hotreload.docker;

import com.github.dockerjava.api.DockerClient;
import dev.hotreload.Platform;
import dev.hotreload.spi.Destination;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a Docker container whose command is the hotreload agent: a restart of the same
 * container is a new destination, since its agent starts the image's binary again.
 */
public final class DockerContainer implements Destination {
  private final DockerClient client;
  private final String containerId;
  private final String name;
  private final String startedAt;
  private final String agentDirectory;
  private final Optional<Integer> appPort;
  private final Optional<Platform> platform;
  private final Map<Integer, InetSocketAddress> publishedPorts;
  private final Optional<String> address;

  /**
   * A container's run, as {@link DockerTarget} found it.
   *
   * @param client the engine's client
   * @param containerId the container's id
   * @param name its name, without Docker's leading slash
   * @param startedAt when this run started, as the engine reports it
   * @param agentDirectory the {@code --dir} its agent was started with
   * @param appPort the first TCP port the image or container exposes: the agent waits for it
   * @param platform the image's platform, if the engine says
   * @param publishedPorts container port to the address it is published at on this machine
   * @param address the container's own IP address, if it has one
   */
  public DockerContainer(DockerClient client, String containerId, String name, String startedAt,
      String agentDirectory, Optional<Integer> appPort, Optional<Platform> platform,
      Map<Integer, InetSocketAddress> publishedPorts, Optional<String> address) {
    this.client = Objects.requireNonNull(client, "client");
    this.containerId = Objects.requireNonNull(containerId, "containerId");
    this.name = Objects.requireNonNull(name, "name");
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.agentDirectory = Objects.requireNonNull(agentDirectory, "agentDirectory");
    this.appPort = Objects.requireNonNull(appPort, "appPort");
    this.platform = Objects.requireNonNull(platform, "platform");
    this.publishedPorts = Map.copyOf(publishedPorts);
    this.address = Objects.requireNonNull(address, "address");
  }

  /**
   * Checks that a transport was handed a Docker container.
   *
   * @param destination the destination of a transfer
   * @param transport the transport, named in the error
   * @return the container
   * @throws IOException naming the destination and the target it needs
   */
  public static DockerContainer of(Destination destination, Class<?> transport)
      throws IOException {
    if (destination instanceof DockerContainer container) {
      return container;
    }
    throw new IOException(transport.getSimpleName() + " delivers to Docker containers only, not "
        + destination.id() + ": use DockerTarget, or the transport of the target you use");
  }

  @Override
  public String id() {
    return "docker/" + name + "@" + startedAt;
  }

  @Override
  public Optional<Platform> platform() {
    return platform;
  }

  /**
   * Where a port of the container answers from this machine: its published address, else the
   * container's own address (reachable from the engine's machine on Linux).
   */
  @Override
  public InetSocketAddress localAddress(int port) throws IOException {
    InetSocketAddress published = publishedPorts.get(port);
    if (published != null) {
      return published;
    }
    if (address.isPresent()) {
      return new InetSocketAddress(address.get(), port);
    }
    throw new IOException("Port " + port + " of Docker container " + name + " is not published "
        + "and the container has no address of its own; publish it (Testcontainers: "
        + "withExposedPorts(" + port + "))");
  }

  /**
   * The engine's client.
   *
   * @return the client
   */
  public DockerClient client() {
    return client;
  }

  /**
   * The container's id.
   *
   * @return the full id
   */
  public String containerId() {
    return containerId;
  }

  /**
   * The container's name.
   *
   * @return the name, without Docker's leading slash
   */
  public String name() {
    return name;
  }

  /**
   * When this run of the container started.
   *
   * @return the engine's timestamp
   */
  public String startedAt() {
    return startedAt;
  }

  /**
   * The agent's directory in the container.
   *
   * @return the {@code --dir} of its {@code run}
   */
  public String agentDirectory() {
    return agentDirectory;
  }

  /**
   * The app's port, which the agent waits for after a restart.
   *
   * @return the first exposed TCP port, if any
   */
  public Optional<Integer> appPort() {
    return appPort;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DockerContainer other && other.containerId.equals(containerId)
        && other.startedAt.equals(startedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(containerId, startedAt);
  }

  @Override
  public String toString() {
    return id();
  }
}
