package dev.hotreload.k8s.pod;

import dev.hotreload.Platform;
import dev.hotreload.spi.Destination;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One incarnation of one container of one pod. A restart of the container gives it a fresh root
 * file system from the image, so it is a new destination, asked again what it runs. Equal when
 * the ids are equal.
 */
public final class PodContainer implements Destination {
  /** How long a wait on this container goes before it asks whether the container still runs. */
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  private final String namespace;
  private final String pod;
  private final String uid;
  private final String container;
  private final int restartCount;
  private final String node;
  private final Optional<Platform> nodePlatform;
  private final ApiClient client;
  private final Optional<Integer> appPort;
  private final Optional<String> agentDirectory;
  private final java.util.Map<Integer, PortForwarder> forwards =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * One container incarnation of a pod.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param uid the pod's uid
   * @param container the container's name
   * @param restartCount the container's restart count: a restart is a new destination
   * @param node the node it runs on
   * @param nodePlatform the node's platform, when known
   * @param client the API client that reaches it
   * @param appPort the container's first declared TCP port, if any
   * @param agentDirectory the {@code --dir} its agent was started with, if the command says
   */
  public PodContainer(String namespace, String pod, String uid, String container, int restartCount,
      String node, Optional<Platform> nodePlatform, ApiClient client, Optional<Integer> appPort,
      Optional<String> agentDirectory) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.pod = Objects.requireNonNull(pod, "pod");
    this.uid = Objects.requireNonNull(uid, "uid");
    this.container = Objects.requireNonNull(container, "container");
    this.restartCount = restartCount;
    this.node = node;
    this.nodePlatform = Objects.requireNonNull(nodePlatform, "nodePlatform");
    this.client = Objects.requireNonNull(client, "client");
    this.appPort = Objects.requireNonNull(appPort, "appPort");
    this.agentDirectory = Objects.requireNonNull(agentDirectory, "agentDirectory");
  }

  /**
   * The directory the container's agent was started with ({@code --dir}).
   *
   * @return the directory, empty when its command names none
   */
  public Optional<String> agentDirectory() {
    return agentDirectory;
  }

  /**
   * The container's first declared TCP port: the agent waits for it after a restart.
   *
   * @return the port, if the manifest declares one
   */
  public Optional<Integer> appPort() {
    return appPort;
  }

  @Override
  public String id() {
    return "pod/" + namespace + "/" + pod + "/" + container + "#" + restartCount;
  }

  @Override
  public Optional<Platform> platform() {
    return nodePlatform;
  }

  /**
   * The pod's namespace.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * The pod's name.
   *
   * @return the name
   */
  public String pod() {
    return pod;
  }

  /**
   * The pod's uid.
   *
   * @return the uid
   */
  public String uid() {
    return uid;
  }

  /**
   * The container's name.
   *
   * @return the name
   */
  public String container() {
    return container;
  }

  /**
   * The container's restart count when it was seen.
   *
   * @return the count
   */
  public int restartCount() {
    return restartCount;
  }

  /**
   * The node it runs on.
   *
   * @return the node's name, or null if not scheduled
   */
  public String node() {
    return node;
  }

  /**
   * The API client that reaches this container.
   *
   * @return the client
   */
  public ApiClient client() {
    return client;
  }

  /**
   * The destination as a pod container, or an error naming the transport that needs one.
   *
   * @param destination a destination
   * @param transport the transport asking
   * @return the pod container
   * @throws java.io.IOException if the destination is not a pod container
   */
  public static PodContainer of(Destination destination, Class<?> transport) throws java.io.IOException {
    if (destination instanceof PodContainer pod) {
      return pod;
    }
    throw new java.io.IOException(transport.getSimpleName() + " delivers to pod containers of a "
        + "KubernetesTarget, not " + destination.id());
  }

  /** One slice of a longer wait. */
  @FunctionalInterface
  public interface Slice {
    /**
     * Waits at most this long.
     *
     * @param nanos the longest wait
     * @return true once what is awaited happened
     * @throws InterruptedException if interrupted
     */
    boolean await(long nanos) throws InterruptedException;
  }

  /**
   * Waits for something an exec into this container does (its answer, its exit) and gives up
   * early once the container no longer runs: the exec stream of a container that was killed or
   * deleted can stay open until the wait's limit (measured: 11 s of a delivery to a pod whose
   * agent was killed, where the restarted container was back after 1 s). Asks the API server
   * only after a second without the thing happening, so a quick answer costs nothing.
   *
   * @param timeout the longest wait
   * @param slice waits one slice
   * @return true if it happened, false when time ran out
   * @throws IOException naming why the container is gone
   * @throws InterruptedException if interrupted
   */
  public boolean awaitWhileRunning(Duration timeout, Slice slice)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (slice.await(Math.min(left, CHECK_EVERY.toNanos()))) {
        return true;
      }
      Optional<String> gone = whyGone();
      if (gone.isPresent()) {
        throw new IOException(id() + " is gone: " + gone.get());
      }
    }
  }

  /**
   * Why this incarnation no longer runs, as the API server sees it now.
   *
   * @return the reason; empty while it runs, and when the API server cannot be asked
   */
  public Optional<String> whyGone() {
    try {
      return whyGone(new CoreV1Api(client).readNamespacedPod(pod, namespace).execute());
    } catch (ApiException e) {
      return e.getCode() == 404 ? Optional.of("pod " + pod + " was deleted") : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty(); // the API server away: no news is no reason
    }
  }

  /**
   * Why this incarnation no longer runs, given the pod as it is now.
   *
   * @param now the pod read from the API server
   * @return the reason; empty while it runs
   */
  public Optional<String> whyGone(V1Pod now) {
    if (now.getMetadata() == null || !uid.equals(now.getMetadata().getUid())) {
      return Optional.of("pod " + pod + " was replaced by another of the same name");
    }
    List<V1ContainerStatus> statuses = now.getStatus() == null ? null
        : now.getStatus().getContainerStatuses();
    Optional<V1ContainerStatus> status = statuses == null ? Optional.empty()
        : statuses.stream().filter(c -> container.equals(c.getName())).findFirst();
    if (status.isEmpty()) {
      return Optional.empty();
    }
    if (status.get().getRestartCount() != null && status.get().getRestartCount() != restartCount) {
      return Optional.of("container " + container + " restarted (restart "
          + status.get().getRestartCount() + ")");
    }
    if (status.get().getState() != null && status.get().getState().getRunning() == null) {
      return Optional.of("container " + container + " is not running");
    }
    return Optional.empty();
  }

  /** Reaches the pod's port through a port-forward, opened once per port and kept. */
  @Override
  public java.net.InetSocketAddress localAddress(int port) throws java.io.IOException {
    PortForwarder forward = forwards.get(port);
    if (forward == null) {
      forward = PortForwarder.toPod(client, namespace, pod, port);
      PortForwarder raced = forwards.putIfAbsent(port, forward);
      if (raced != null) {
        forward.close();
        forward = raced;
      }
    }
    return forward.address();
  }

  /** Closes the port-forwards opened for readiness checks. */
  public void closeForwards() {
    forwards.values().forEach(PortForwarder::close);
    forwards.clear();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodContainer other && other.id().equals(id()) && other.uid.equals(uid);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id(), uid);
  }

  @Override
  public String toString() {
    return id();
  }
}
