package dev.hotreload.docker.junit;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.docker.DockerDevImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.testcontainers.containers.GenericContainer;

/**
 * A Go service running under hot reload in a container, as {@link HotReloadExtension} hands it
 * to a test: its container, its session, and the workspace whose edits reload it.
 */
public final class DevContainer {
  private final GenericContainer<?> container;
  private final Session session;
  private final Path workspace;
  private final DockerDevImage image;
  private final Duration reloadTimeout;

  DevContainer(GenericContainer<?> container, Session session, Path workspace,
      DockerDevImage image, Duration reloadTimeout) {
    this.container = container;
    this.session = session;
    this.workspace = workspace;
    this.image = image;
    this.reloadTimeout = reloadTimeout;
  }

  /**
   * The container the service runs in: the same one for the whole session.
   *
   * @return the started container
   */
  public GenericContainer<?> container() {
    return container;
  }

  /**
   * The session that reloads it.
   *
   * @return the running session
   */
  public Session session() {
    return session;
  }

  /**
   * The workspace the session watches: a copy of the declared one unless the extension was told
   * {@code inPlace()}.
   *
   * @return its directory
   */
  public Path workspace() {
    return workspace;
  }

  /**
   * The dev image the container was started from.
   *
   * @return the image
   */
  public DockerDevImage image() {
    return image;
  }

  /**
   * An HTTP address of a port of the service, as published on this machine now. (Docker may
   * publish a port elsewhere after it restarts the container, while Testcontainers' {@code
   * getMappedPort} keeps the first one.)
   *
   * @param port the port in the container, one of those the container exposes
   * @return such as {@code http://localhost:32771/}
   * @throws IllegalArgumentException if the port is not published
   */
  public URI uri(int port) {
    Ports.Binding[] bindings = container.getDockerClient()
        .inspectContainerCmd(container.getContainerId()).exec()
        .getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(port));
    if (bindings == null || bindings.length == 0) {
      throw new IllegalArgumentException("Port " + port + " of " + container.getContainerName()
          + " is not published: add withExposedPorts(" + port + ") to the container");
    }
    return URI.create("http://" + container.getHost() + ":" + bindings[0].getHostPortSpec()
        + "/");
  }

  /**
   * Changes a file of the workspace and waits for the reload it starts.
   *
   * @param file relative to the workspace, such as {@code cmd/server/main.go}
   * @param change turns the file's text into the new text; it must change something
   * @return the reload's report: {@link ReloadReport#succeeded()} tells whether the service runs
   *     the change (a compile error fails it and the previous binary keeps running)
   * @throws IOException if the file cannot be read or written
   * @throws TimeoutException if no reload ends within the extension's reload timeout
   * @throws InterruptedException if interrupted
   */
  public ReloadReport edit(String file, UnaryOperator<String> change)
      throws IOException, TimeoutException, InterruptedException {
    return Workspaces.edit(session, workspace, file, change, reloadTimeout);
  }

  @Override
  public String toString() {
    return "DevContainer[" + image.reference() + " in " + container.getContainerName() + "]";
  }
}
