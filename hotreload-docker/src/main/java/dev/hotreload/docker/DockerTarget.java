package dev.hotreload.docker;

import com.github.dockerjava.api.DockerClient;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * Docker containers started from a dev image ({@link DockerDevImage}: the agent is their
 * command), kept live: the target follows each container, and every time it starts again (a
 * {@code docker restart}, a restart policy after a crash) the session delivers the current
 * binary to it, since its agent starts the image's binary. The app's output becomes the
 * session's output.
 *
 * <pre>{@code
 * DockerTarget.of(container)            // a started Testcontainers GenericContainer
 * DockerTarget.containers("hello-dev")  // containers by name or id, on the engine Testcontainers finds
 * }</pre>
 *
 * <p>The engine is the one Testcontainers finds ({@code DOCKER_HOST}, Docker contexts, {@code
 * ~/.testcontainers.properties}) unless {@link #dockerClient(DockerClient)} names another.
 */
public final class DockerTarget implements Target {
  private final List<String> containers;
  private DockerClient client;
  private boolean followLogs = true;
  private Duration pollInterval = Duration.ofMillis(250);

  private DockerTarget(List<String> containers) {
    if (containers.isEmpty()) {
      throw new IllegalArgumentException("DockerTarget needs at least one container id or name");
    }
    for (String container : containers) {
      if (container == null || container.isBlank()) {
        throw new IllegalArgumentException("Docker container id or name '" + container
            + "' is empty");
      }
    }
    this.containers = List.copyOf(containers);
  }

  /**
   * Containers by id or name, on the engine Testcontainers finds unless {@link
   * #dockerClient(DockerClient)} says otherwise.
   *
   * @param idsOrNames the containers; each must run when the session starts
   * @return the target
   */
  public static DockerTarget containers(String... idsOrNames) {
    return new DockerTarget(List.of(idsOrNames));
  }

  /**
   * A started Testcontainers container, through its engine.
   *
   * @param container started from {@link DockerDevImage#reference()}
   * @return the target
   * @throws IllegalStateException if the container has not been started
   */
  public static DockerTarget of(GenericContainer<?> container) {
    Objects.requireNonNull(container, "container");
    if (container.getContainerId() == null) {
      // (Not naming its image: asking a container for it resolves, even pulls, the image.)
      throw new IllegalStateException("The Testcontainers container has not been started: "
          + "start() it before the session, or use HotReloadExtension");
    }
    return containers(container.getContainerId()).dockerClient(container.getDockerClient());
  }

  /**
   * The engine's client to use instead of the one Testcontainers finds.
   *
   * @param client a docker-java client
   * @return this
   */
  public DockerTarget dockerClient(DockerClient client) {
    this.client = Objects.requireNonNull(client, "client");
    return this;
  }

  /**
   * Whether the containers' output becomes the session's output ({@code TargetEvents.output});
   * on by default.
   *
   * @param follow false to leave the output to the caller (for example a Testcontainers log
   *     consumer)
   * @return this
   */
  public DockerTarget followLogs(boolean follow) {
    this.followLogs = follow;
    return this;
  }

  /**
   * How often the target asks the engine whether a container started again; 250 ms by default.
   * (Asking costs about a millisecond on a local engine; a poll survives an engine restart,
   * which an event stream does not.)
   *
   * @param interval between two checks
   * @return this
   */
  public DockerTarget pollInterval(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("DockerTarget poll interval " + interval
          + " is not positive");
    }
    this.pollInterval = interval;
    return this;
  }

  /**
   * Delivers with a {@link DockerExecTransport}: the agent's install over Docker exec, with
   * deltas.
   *
   * @return a new transport
   */
  @Override
  public Optional<Transport> defaultTransport() {
    return Optional.of(new DockerExecTransport());
  }

  @Override
  public TargetHandle open(TargetRequest request) throws IOException {
    DockerClient docker = client != null ? client : engineClient();
    ContainerWatcher watcher = new ContainerWatcher(docker, containers, request, followLogs,
        pollInterval);
    watcher.start();
    return watcher;
  }

  static DockerClient engineClient() throws IOException {
    try {
      return DockerClientFactory.instance().client();
    } catch (IllegalStateException e) {
      throw new IOException("No Docker engine found (" + e.getMessage() + "): start one, or set "
          + "DOCKER_HOST; on this project's machine, scripts/docker up", e);
    }
  }

  @Override
  public String toString() {
    return "DockerTarget" + containers;
  }
}
