package dev.hotreload.k8s.dev;

import dev.hotreload.Platform;
import dev.hotreload.core.HotReload;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.k8s.connect.KubeConnection;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole Kubernetes dev loop in one call, as {@code skaffold dev} or {@code tilt up} own it:
 * from a Go workspace and its manifests to live, reloading pods.
 *
 * <pre>{@code
 * try (DevSession dev = KubernetesDev.forWorkspace(Path.of("."))
 *     .manifests(Path.of("k8s"))                 // files or directories, multi-document, Lists
 *     .context("dev").namespace("shop")          // else kubeconfig's current ones
 *     .registry("localhost:5000")                // where the dev images go
 *     .portForward("deployment/shop", 9090)
 *     .listener(ConsoleProgress.toStdout())
 *     .start()) {
 *   dev.awaitClose();
 * }
 * }</pre>
 *
 * <p>{@link #start()} finds the services (every {@code ko://<import path>} in the manifests, as
 * ko does, plus images mapped with {@link #service}), reads the nodes' platform, builds each
 * service's binary and a dev image with the agent inside, pushes it, rewrites the manifests,
 * applies them server-side, waits for the rollout, then reloads each service whose packages an
 * edit touches, in every pod of every workload that runs it. Everything it does goes to the
 * listener.
 *
 * <p>A mutable, single-use builder, like {@link HotReload.Configurator}.
 */
public final class KubernetesDev {
  /**
   * The readiness gate every rewritten pod template gets: a pod is Ready only once the session
   * has seen it run the current build, so a Service never sends traffic to a new pod that still
   * runs the image's older build. Setting it needs {@code patch} on {@code pods/status}. Not
   * added with {@link #keepDeployment(boolean) keepDeployment(true)}: after the session nobody
   * would set it.
   */
  public static final String READINESS_GATE = "hotreload.dev/current-binary";

  final Path workspace;
  final List<Path> manifests = new ArrayList<>();
  KubeConnection connection = KubeConnection.standard();
  String context;
  String namespace;
  DevImages images = DevImages.registry("localhost:5000");
  final Map<String, String> mappedImages = new LinkedHashMap<>();
  final Map<String, int[]> portForwards = new LinkedHashMap<>();
  Platform platform;
  ReloadListener listener = ReloadListener.NONE;
  boolean keep;
  Duration rolloutTimeout = Duration.ofMinutes(5);
  Consumer<HotReload.Configurator> sessionSettings = c -> { };

  private KubernetesDev(Path workspace) {
    this.workspace = Objects.requireNonNull(workspace, "workspace");
  }

  /**
   * Starts configuring a dev session for a Go workspace (a module's root, or a {@code go.work}
   * directory).
   *
   * @param workspace the workspace
   * @return the configurator
   */
  public static KubernetesDev forWorkspace(Path workspace) {
    return new KubernetesDev(workspace);
  }

  /**
   * Adds manifests: YAML files, or directories whose {@code .yaml}/{@code .yml} files are read
   * in name order (recursively). Documents may be multi-document streams or {@code kind: List}.
   *
   * @param paths files or directories
   * @return this
   */
  public KubernetesDev manifests(Path... paths) {
    for (Path path : paths) {
      manifests.add(Objects.requireNonNull(path, "manifest path"));
    }
    return this;
  }

  /**
   * How to reach the cluster; default {@link KubeConnection#standard()} (as kubectl).
   *
   * @param connection the connection
   * @return this
   */
  public KubernetesDev connection(KubeConnection connection) {
    this.connection = Objects.requireNonNull(connection, "connection");
    return this;
  }

  /**
   * Uses a client the embedder configured, in a namespace.
   *
   * @param client the client
   * @param namespace the namespace for manifests that name none
   * @return this
   */
  public KubernetesDev apiClient(ApiClient client, String namespace) {
    return connection(KubeConnection.of(client, namespace));
  }

  /**
   * Uses this kubeconfig context instead of the current one.
   *
   * @param name the context
   * @return this
   */
  public KubernetesDev context(String name) {
    this.context = Objects.requireNonNull(name, "context");
    return this;
  }

  /**
   * Works in this namespace instead of the context's.
   *
   * @param name the namespace
   * @return this
   */
  public KubernetesDev namespace(String name) {
    this.namespace = Objects.requireNonNull(name, "namespace");
    return this;
  }

  /**
   * Where the dev images are pushed; the cluster's nodes must be able to pull from it. Default
   * {@code localhost:5000}.
   *
   * @param registry a registry host (and optional repository prefix)
   * @return this
   */
  public KubernetesDev registry(String registry) {
    this.images = DevImages.registry(Objects.requireNonNull(registry, "registry"));
    return this;
  }

  /**
   * Where the dev images go, instead of a registry: for example loaded into the container
   * runtime of a node that runs in a container (K3s from Testcontainers).
   *
   * @param images delivers each service's dev image
   * @return this
   */
  public KubernetesDev images(DevImages images) {
    this.images = Objects.requireNonNull(images, "images");
    return this;
  }

  /**
   * Treats containers whose image is {@code image} as the service built from {@code
   * mainPackage}, for manifests that name a plain image instead of {@code ko://}.
   *
   * @param image the image as the manifests name it, such as {@code shop} or {@code
   *     registry.example.com/shop:1.2}
   * @param mainPackage its main package, such as {@code ./cmd/shop}
   * @return this
   */
  public KubernetesDev service(String image, String mainPackage) {
    mappedImages.put(Objects.requireNonNull(image, "image"),
        Objects.requireNonNull(mainPackage, "mainPackage"));
    return this;
  }

  /**
   * Keeps {@code localhost:port} forwarded to the same port of a running pod of a workload,
   * across pod replacements, as {@code kubectl port-forward deployment/shop 9090} does.
   *
   * @param resource {@code deployment/NAME}, {@code statefulset/NAME}, {@code daemonset/NAME} or
   *     {@code pod/NAME}
   * @param port the local and the pod's port
   * @return this
   */
  public KubernetesDev portForward(String resource, int port) {
    return portForward(resource, port, port);
  }

  /**
   * Keeps a local port forwarded to a pod's port, across pod replacements.
   *
   * @param resource {@code deployment/NAME}, {@code statefulset/NAME}, {@code daemonset/NAME} or
   *     {@code pod/NAME}
   * @param localPort the port on 127.0.0.1, 0 for any free one
   * @param podPort the pod's port
   * @return this
   */
  public KubernetesDev portForward(String resource, int localPort, int podPort) {
    portForwards.put(Objects.requireNonNull(resource, "resource"),
        new int[] {localPort, podPort});
    return this;
  }

  /**
   * Builds for this platform instead of the nodes'.
   *
   * @param platform such as {@code linux/arm64}
   * @return this
   */
  public KubernetesDev platform(String platform) {
    return platform(Platform.parse(platform));
  }

  /**
   * Builds for this platform instead of the nodes'.
   *
   * @param platform the platform
   * @return this
   */
  public KubernetesDev platform(Platform platform) {
    this.platform = Objects.requireNonNull(platform, "platform");
    return this;
  }

  /**
   * Receives the start's progress, every service's reloads and every dev container's log.
   *
   * @param listener the listener
   * @return this
   */
  public KubernetesDev listener(ReloadListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Whether {@code close()} leaves the dev deployment in place instead of restoring the cluster.
   * Default false.
   *
   * @param keep true to keep it
   * @return this
   */
  public KubernetesDev keepDeployment(boolean keep) {
    this.keep = keep;
    return this;
  }

  /**
   * How long the first rollout may take. Default 5 minutes.
   *
   * @param timeout the limit
   * @return this
   */
  public KubernetesDev rolloutTimeout(Duration timeout) {
    this.rolloutTimeout = Objects.requireNonNull(timeout, "rolloutTimeout");
    return this;
  }

  /**
   * Adjusts each service's reload session (readiness, debounce, timeouts, transport): called
   * with the configurator after the dev session has set workspace, name, main package, platform,
   * target and listener.
   *
   * @param settings what to change
   * @return this
   */
  public KubernetesDev sessions(Consumer<HotReload.Configurator> settings) {
    this.sessionSettings = Objects.requireNonNull(settings, "sessions");
    return this;
  }

  /**
   * Deploys and starts reloading. On failure nothing stays behind: what was applied is
   * restored and what was started is closed.
   *
   * @return the running session; close it to stop and restore
   * @throws IOException if the cluster, the registry, a build or a manifest fails, with the
   *     reason
   * @throws InterruptedException if interrupted while deploying
   */
  public DevSession start() throws IOException, InterruptedException {
    if (manifests.isEmpty()) {
      throw new IllegalStateException("No manifests: add them with .manifests(Path.of(\"k8s\"))");
    }
    KubeConnection resolved = connection;
    if (context != null) {
      resolved = resolved.context(context);
    }
    if (namespace != null) {
      resolved = resolved.namespace(namespace);
    }
    return new DevStart(this, resolved).run();
  }
}
