package dev.hotreload.k8s.target;

import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.ClientBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The containers of a pod, a Deployment, a StatefulSet, a DaemonSet or a label selector, kept
 * live: the target watches the pods, and every pod whose container starts running (a new
 * replica, a replaced pod, a container restarted with a fresh file system) is reported so the
 * session delivers the current binary to it. Nothing is lost when pods come and go.
 *
 * <p>The container is the one named with {@link #container(String)}, else the one whose command
 * is the hotreload agent, else the pod's only container.
 *
 * <pre>{@code
 * KubernetesTarget.deployment("default", "hello").container("app")
 * }</pre>
 *
 * <p>The API client comes from {@link #apiClient(ApiClient)}, else it is resolved as kubectl
 * does: {@code KUBECONFIG}, {@code ~/.kube/config}, then the in-cluster service account. A
 * client passed in needs no read timeout, since it carries long watches.
 */
public final class KubernetesTarget implements Target {
  private enum Kind { POD, DEPLOYMENT, STATEFUL_SET, DAEMON_SET, SELECTOR }

  private final Kind kind;
  private final String namespace;
  private final String name;
  private final Map<String, String> labels;
  private String container;
  private ApiClient client;
  private boolean followLogs = true;
  private Platform platform;

  private KubernetesTarget(Kind kind, String namespace, String name, Map<String, String> labels) {
    this.kind = kind;
    this.namespace = requireName(namespace, "namespace");
    this.name = name;
    this.labels = labels;
  }

  private static String requireName(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("Kubernetes " + what + " '" + value + "' is empty");
    }
    return value;
  }

  /**
   * One pod by name.
   *
   * @param namespace its namespace
   * @param name its name
   * @return the target
   */
  public static KubernetesTarget pod(String namespace, String name) {
    return new KubernetesTarget(Kind.POD, namespace, requireName(name, "pod name"), Map.of());
  }

  /**
   * Every replica of a Deployment.
   *
   * @param namespace its namespace
   * @param name its name
   * @return the target
   */
  public static KubernetesTarget deployment(String namespace, String name) {
    return new KubernetesTarget(Kind.DEPLOYMENT, namespace, requireName(name, "deployment name"),
        Map.of());
  }

  /**
   * Every replica of a StatefulSet.
   *
   * @param namespace its namespace
   * @param name its name
   * @return the target
   */
  public static KubernetesTarget statefulSet(String namespace, String name) {
    return new KubernetesTarget(Kind.STATEFUL_SET, namespace,
        requireName(name, "statefulset name"), Map.of());
  }

  /**
   * Every pod of a DaemonSet.
   *
   * @param namespace its namespace
   * @param name its name
   * @return the target
   */
  public static KubernetesTarget daemonSet(String namespace, String name) {
    return new KubernetesTarget(Kind.DAEMON_SET, namespace, requireName(name, "daemonset name"),
        Map.of());
  }

  /**
   * Every pod with these labels.
   *
   * @param namespace the namespace
   * @param labels the labels, all of which must match
   * @return the target
   */
  public static KubernetesTarget selector(String namespace, Map<String, String> labels) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("A selector target needs at least one label");
    }
    return new KubernetesTarget(Kind.SELECTOR, namespace, null, Map.copyOf(labels));
  }

  /**
   * A workload by its kind as a manifest names it.
   *
   * @param kind {@code Deployment}, {@code StatefulSet}, {@code DaemonSet} or {@code Pod}
   * @param namespace its namespace
   * @param name its name
   * @return the target
   * @throws IllegalArgumentException for another kind, naming the ones that work
   */
  public static KubernetesTarget workload(String kind, String namespace, String name) {
    return switch (kind) {
      case "Deployment" -> deployment(namespace, name);
      case "StatefulSet" -> statefulSet(namespace, name);
      case "DaemonSet" -> daemonSet(namespace, name);
      case "Pod" -> pod(namespace, name);
      default -> throw new IllegalArgumentException("Cannot follow the pods of " + kind + " "
          + namespace + "/" + name + ": a target is a Deployment, StatefulSet, DaemonSet or Pod");
    };
  }

  /**
   * Only pods on nodes where a binary for this platform runs: with nodes of several
   * architectures, one target per platform gets each pod the binary for its node. Pods on
   * nodes whose platform is unknown (no read access to nodes) are kept.
   *
   * @param binaries the platform of the binaries this target receives
   * @return this
   */
  public KubernetesTarget platform(Platform binaries) {
    this.platform = Objects.requireNonNull(binaries, "platform");
    return this;
  }

  /**
   * Chooses the container by name.
   *
   * @param containerName the container
   * @return this
   */
  public KubernetesTarget container(String containerName) {
    this.container = requireName(containerName, "container name");
    return this;
  }

  /**
   * Uses this client instead of resolving one like kubectl. Its new connections get {@code
   * TCP_NODELAY} once it streams to a pod (OkHttp leaves Nagle's algorithm on, which held each
   * binary sent to the agent 40 ms for the API server's delayed acknowledgement).
   *
   * @param apiClient the client
   * @return this
   */
  public KubernetesTarget apiClient(ApiClient apiClient) {
    this.client = Objects.requireNonNull(apiClient, "apiClient");
    return this;
  }

  /**
   * Whether the container's log lines go to the session's listeners ({@code
   * ReloadListener.output}), as a local process's output does. On by default: each container is
   * followed from the moment it is found (a new or restarted container from its first line), so
   * what the app prints after a reload shows up beside the reload's report.
   *
   * @param follow false to leave the logs alone
   * @return this
   */
  public KubernetesTarget followLogs(boolean follow) {
    this.followLogs = follow;
    return this;
  }

  /**
   * Delivers with an {@link ExecTransport}: the agent's install over exec, deltas and one
   * long-lived exec per container.
   *
   * @return a new exec transport
   */
  @Override
  public Optional<Transport> defaultTransport() {
    return Optional.of(new ExecTransport());
  }

  @Override
  public TargetHandle open(TargetRequest request) throws IOException {
    ApiClient api = client != null ? client : ClientBuilder.standard().build();
    String selector = labelSelector(api);
    PodWatcher watcher = new PodWatcher(this, api, selector, request);
    watcher.start();
    return watcher;
  }

  String namespace() {
    return namespace;
  }

  String podName() {
    return name;
  }

  boolean followsLogs() {
    return followLogs;
  }

  /** Whether a pod on a node of this platform belongs to the target. */
  boolean accepts(Optional<Platform> node) {
    return platform == null || node.isEmpty() || platform.runsOn(node.get());
  }

  /** The workload's pod selector, as a label selector string. */
  String labelSelectorOf(ApiClient api) throws IOException {
    String selector = labelSelector(api);
    return selector != null ? selector
        : "metadata.name=" + name; // one pod: PodWatcher lists it by name instead
  }

  private String labelSelector(ApiClient api) throws IOException {
    try {
      AppsV1Api apps = new AppsV1Api(api);
      switch (kind) {
        case POD:
          return null;
        case SELECTOR:
          return labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
              .sorted().collect(Collectors.joining(","));
        case DEPLOYMENT:
          return selectorString(apps.readNamespacedDeployment(name, namespace).execute()
              .getSpec().getSelector());
        case STATEFUL_SET:
          return selectorString(apps.readNamespacedStatefulSet(name, namespace).execute()
              .getSpec().getSelector());
        case DAEMON_SET:
          return selectorString(apps.readNamespacedDaemonSet(name, namespace).execute()
              .getSpec().getSelector());
        default:
          throw new AssertionError(kind);
      }
    } catch (ApiException e) {
      throw new IOException(this + " could not be read: HTTP " + e.getCode()
          + (e.getCode() == 404 ? " (not found: is it deployed, and in namespace " + namespace
              + "?)" : " " + e.getResponseBody()), e);
    }
  }

  static String selectorString(V1LabelSelector selector) {
    List<String> parts = new ArrayList<>();
    Optional.ofNullable(selector.getMatchLabels()).orElse(Map.of())
        .forEach((k, v) -> parts.add(k + "=" + v));
    for (V1LabelSelectorRequirement r : Optional.ofNullable(selector.getMatchExpressions())
        .orElse(List.of())) {
      String values = String.join(",", Optional.ofNullable(r.getValues()).orElse(List.of()));
      switch (r.getOperator()) {
        case "In" -> parts.add(r.getKey() + " in (" + values + ")");
        case "NotIn" -> parts.add(r.getKey() + " notin (" + values + ")");
        case "Exists" -> parts.add(r.getKey());
        case "DoesNotExist" -> parts.add("!" + r.getKey());
        default -> throw new IllegalArgumentException("Unknown selector operator " + r.getOperator());
      }
    }
    parts.sort(null);
    return String.join(",", parts);
  }

  /**
   * The containers of a pod that get the binary: the one named, else every one the agent
   * supervises (two containers of one image in one pod both get it), else the only one.
   */
  List<V1Container> chooseContainers(V1Pod pod) {
    List<V1Container> containers = pod.getSpec().getContainers();
    List<String> names = containers.stream().map(V1Container::getName).toList();
    if (container != null) {
      return containers.stream().filter(c -> c.getName().equals(container)).findFirst()
          .map(List::of).orElseThrow(() -> new IllegalStateException("Pod "
              + pod.getMetadata().getName() + " has no container '" + container + "'; it has "
              + names));
    }
    List<V1Container> supervised = containers.stream()
        .filter(c -> AgentLayout.isAgentCommand(c.getCommand())).toList();
    if (!supervised.isEmpty()) {
      return supervised;
    }
    if (containers.size() == 1) {
      return containers;
    }
    throw new IllegalStateException("Pod " + pod.getMetadata().getName() + " has containers "
        + names + " and none runs the hotreload agent: choose one with .container(name)");
  }

  @Override
  public String toString() {
    String what = switch (kind) {
      case POD -> "pod/" + name;
      case DEPLOYMENT -> "deployment/" + name;
      case STATEFUL_SET -> "statefulset/" + name;
      case DAEMON_SET -> "daemonset/" + name;
      case SELECTOR -> "pods " + labels;
    };
    return "KubernetesTarget[" + namespace + "/" + what
        + (container != null ? ", container " + container : "") + "]";
  }
}
