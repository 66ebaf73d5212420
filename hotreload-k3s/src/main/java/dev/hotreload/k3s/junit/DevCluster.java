package dev.hotreload.k3s.junit;

import dev.hotreload.ReloadReport;
import dev.hotreload.docker.junit.Workspaces;
import dev.hotreload.k8s.dev.DevSession;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.testcontainers.k3s.K3sContainer;

/**
 * A workspace's services running under hot reload in a K3s cluster, as {@link
 * K3sHotReloadExtension} hands them to a test: the cluster, the dev session, and the workspace
 * whose edits reload them.
 */
public final class DevCluster {
  private final K3sContainer k3s;
  private final DevSession session;
  private final Path workspace;
  private final Duration reloadTimeout;

  DevCluster(K3sContainer k3s, DevSession session, Path workspace, Duration reloadTimeout) {
    this.k3s = k3s;
    this.session = session;
    this.workspace = workspace;
    this.reloadTimeout = reloadTimeout;
  }

  /**
   * The K3s cluster.
   *
   * @return the started container
   */
  public K3sContainer k3s() {
    return k3s;
  }

  /**
   * The dev session: one reload session per service, port-forwards, and the cluster restored on
   * close.
   *
   * @return the running session
   */
  public DevSession session() {
    return session;
  }

  /**
   * The workspace the session watches (a copy of the declared one).
   *
   * @return its directory
   */
  public Path workspace() {
    return workspace;
  }

  /**
   * The HTTP address of a declared port-forward.
   *
   * @param resource as declared, such as {@code deployment/hello}
   * @return such as {@code http://127.0.0.1:41234/}
   */
  public URI uri(String resource) {
    return URI.create("http://127.0.0.1:" + session.localPort(resource) + "/");
  }

  /**
   * Changes a file of the workspace and waits for the reload it starts.
   *
   * @param file relative to the workspace, such as {@code cmd/server/main.go}
   * @param change turns the file's text into the new text; it must change something
   * @return the reload's report: {@link ReloadReport#succeeded()} tells whether the pods run the
   *     change (a compile error fails it and the previous binary keeps running)
   * @throws IOException if the file cannot be read or written
   * @throws TimeoutException if no reload ends within the extension's reload timeout
   * @throws InterruptedException if interrupted
   */
  public ReloadReport edit(String file, UnaryOperator<String> change)
      throws IOException, TimeoutException, InterruptedException {
    return Workspaces.edit(session, workspace, file, change, reloadTimeout);
  }
}
