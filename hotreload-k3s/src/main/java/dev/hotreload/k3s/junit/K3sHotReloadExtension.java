package dev.hotreload.k3s.junit;

import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.docker.junit.Workspaces;
import dev.hotreload.k3s.K3sDev;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.k3s.K3sContainer;

/**
 * Runs a Go workspace's services in a K3s cluster (Testcontainers' {@link K3sContainer}) under
 * hot reload for the tests of a class: before them it starts the cluster, builds each {@code
 * ko://} service of the manifests and its dev image, imports the images into the node, applies
 * the manifests and starts the dev session; tests get a {@link DevCluster} and can {@link
 * DevCluster#edit edit} the Go code and wait for the reload — the same pods answer with the new
 * code. The session restores the cluster and the cluster stops after the tests.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final K3sHotReloadExtension hello = K3sHotReloadExtension.forWorkspace(Path.of("hello"))
 *     .manifests("k8s")
 *     .portForward("deployment/hello", 8080)
 *     .k3s(() -> new K3sContainer(DockerImageName.parse("rancher/k3s:v1.34.4-k3s1")));
 * }</pre>
 *
 * <p>Register it on a static field: a cluster per test class. The session works on a copy of
 * the workspace, so edits made by tests never touch the sources.
 */
public final class K3sHotReloadExtension implements BeforeAllCallback, AfterAllCallback,
    ParameterResolver {

  private final Path workspace;
  private final List<String> manifests = new ArrayList<>();
  private final List<String[]> forwards = new ArrayList<>();
  private Supplier<K3sContainer> k3sFactory;
  private Duration readyTimeout = Duration.ofMinutes(3);
  private Duration reloadTimeout = Duration.ofMinutes(1);
  private Consumer<KubernetesDev> settings = dev -> {};

  private K3sContainer k3s;
  private Path copied;
  private DevCluster running;

  private K3sHotReloadExtension(Path workspace) {
    this.workspace = Objects.requireNonNull(workspace, "workspace").toAbsolutePath().normalize();
  }

  /**
   * Declares the Go workspace of the services.
   *
   * @param workspace the directory with {@code go.mod}
   * @return the extension, to configure further
   */
  public static K3sHotReloadExtension forWorkspace(Path workspace) {
    return new K3sHotReloadExtension(workspace);
  }

  /**
   * Manifests to apply, relative to the workspace (files or directories); their {@code ko://}
   * images are the services.
   *
   * @param paths such as {@code k8s}
   * @return this
   */
  public K3sHotReloadExtension manifests(String... paths) {
    manifests.addAll(List.of(paths));
    return this;
  }

  /**
   * Forwards a free local port to a port of a workload's pod, across pod replacements; {@link
   * DevCluster#uri} gives its address.
   *
   * @param resource such as {@code deployment/hello}
   * @param podPort the pod's port
   * @return this
   */
  public K3sHotReloadExtension portForward(String resource, int podPort) {
    forwards.add(new String[] {resource, String.valueOf(podPort)});
    return this;
  }

  /**
   * How to make the K3s container; the extension starts and stops it.
   *
   * @param factory makes an unstarted K3s container
   * @return this
   */
  public K3sHotReloadExtension k3s(Supplier<K3sContainer> factory) {
    this.k3sFactory = Objects.requireNonNull(factory, "factory");
    return this;
  }

  /**
   * How long starting the cluster, the first builds and the rollout may take; three minutes by
   * default.
   *
   * @param timeout the limit
   * @return this
   */
  public K3sHotReloadExtension readyTimeout(Duration timeout) {
    this.readyTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * How long {@link DevCluster#edit} waits for its reload; one minute by default.
   *
   * @param timeout the limit
   * @return this
   */
  public K3sHotReloadExtension reloadTimeout(Duration timeout) {
    this.reloadTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Further dev-session settings (services of plain images, listener, rollout timeout…),
   * applied after the extension's own.
   *
   * @param settings changes the session's settings
   * @return this
   */
  public K3sHotReloadExtension configure(Consumer<KubernetesDev> settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (k3sFactory == null) {
      throw new IllegalStateException("K3sHotReloadExtension needs .k3s(() -> new "
          + "K3sContainer(...)) to know which K3s image to run");
    }
    long started = System.nanoTime();
    try {
      copied = Workspaces.copy(workspace);
      k3s = k3sFactory.get();
      progress("starting K3s", started);
      k3s.start();
      progress("K3s started; building, importing and deploying the services", started);
      KubernetesDev dev = KubernetesDev.forWorkspace(copied)
          .rolloutTimeout(readyTimeout)
          .listener(ConsoleProgress.toStdout().relativeTo(copied));
      for (String manifest : manifests) {
        dev.manifests(copied.resolve(manifest));
      }
      for (String[] forward : forwards) {
        dev.portForward(forward[0], 0, Integer.parseInt(forward[1]));
      }
      settings.accept(dev);
      DevSession session = K3sDev.on(k3s, dev).start();
      running = new DevCluster(k3s, session, copied, reloadTimeout);
      // The first reload confirms what the pods run; an edit before it ends would wait for it.
      session.awaitReady(readyTimeout);
      progress("dev session ready", started);
    } catch (Exception | Error e) {
      afterAll(context);
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    DevCluster dev = running;
    running = null;
    try {
      if (dev != null) {
        dev.session().close();
      }
    } finally {
      if (k3s != null) {
        k3s.stop();
        k3s = null;
      }
      if (copied != null) {
        Workspaces.delete(copied);
        copied = null;
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    return parameter.getParameter().getType() == DevCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    if (running == null) {
      throw new ParameterResolutionException("K3sHotReloadExtension has no running cluster: "
          + "register it on a static field with @RegisterExtension");
    }
    return running;
  }

  private static void progress(String step, long started) {
    System.out.printf("[hotreload] %s (%d ms)%n", step,
        (System.nanoTime() - started) / 1_000_000);
  }
}
