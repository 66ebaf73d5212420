package dev.hotreload.k8s.target;

import com.google.gson.reflect.TypeToken;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import io.kubernetes.client.PodLogs;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Watch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
   * Uses this client instead of resolving one like kubectl.
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
    Handle handle = new Handle(api, selector, request);
    handle.start();
    return handle;
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

  /** Tracks the pods; a daemon thread runs the watch and re-lists when it expires. */
  final class Handle implements TargetHandle {
    private final ApiClient api;
    private final CoreV1Api core;
    private final String selector;
    private final TargetEvents events;
    private final Map<String, PodContainer> live = new ConcurrentHashMap<>();
    private final Map<String, Optional<Platform>> nodes = new ConcurrentHashMap<>();
    private final Map<String, LogFollower> logs = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Watch<V1Pod> watch;
    private String resourceVersion;

    Handle(ApiClient api, String selector, TargetRequest request) {
      this.api = api;
      this.core = new CoreV1Api(api);
      this.selector = selector;
      this.events = request.events();
      this.thread = new Thread(this::watchLoop, "hotreload-pods-" + namespace);
      thread.setDaemon(true);
    }

    void start() throws IOException {
      V1PodList list = list();
      List<String> problems = new ArrayList<>();
      for (V1Pod pod : list.getItems()) {
        try {
          update(pod, false, false);
        } catch (IllegalStateException e) {
          problems.add(e.getMessage());
        }
      }
      if (!problems.isEmpty()) {
        throw new IOException(String.join("; ", problems));
      }
      resourceVersion = list.getMetadata().getResourceVersion();
      thread.start();
    }

    private V1PodList list() throws IOException {
      try {
        CoreV1Api.APIlistNamespacedPodRequest call = core.listNamespacedPod(namespace);
        if (selector != null) {
          call.labelSelector(selector);
        } else {
          call.fieldSelector("metadata.name=" + name);
        }
        return call.execute();
      } catch (ApiException e) {
        throw new IOException("Listing pods of " + KubernetesTarget.this + " failed: HTTP "
            + e.getCode() + " " + e.getResponseBody(), e);
      }
    }

    private void watchLoop() {
      while (!closed) {
        try {
          CoreV1Api.APIlistNamespacedPodRequest call = core.listNamespacedPod(namespace)
              .watch(true).allowWatchBookmarks(true).timeoutSeconds(240)
              .resourceVersion(resourceVersion);
          if (selector != null) {
            call.labelSelector(selector);
          } else {
            call.fieldSelector("metadata.name=" + name);
          }
          try (Watch<V1Pod> w = Watch.createWatch(api, call.buildCall(null),
              new TypeToken<Watch.Response<V1Pod>>() {}.getType())) {
            watch = w;
            for (Watch.Response<V1Pod> event : w) {
              if (closed) {
                return;
              }
              if ("ERROR".equals(event.type)) {
                resync(); // usually 410 Gone: the resource version expired
                break;
              }
              if (event.object != null && event.object.getMetadata() != null) {
                resourceVersion = event.object.getMetadata().getResourceVersion();
              }
              if ("BOOKMARK".equals(event.type)) {
                continue;
              }
              try {
                update(event.object, "DELETED".equals(event.type), true);
              } catch (IllegalStateException e) {
                events.log(LogEvent.warn(e.getMessage()));
              }
            }
          }
        } catch (Exception e) {
          if (closed) {
            return;
          }
          events.log(LogEvent.debug("Pod watch of " + KubernetesTarget.this + " ended (" + e
              + "); listing again"));
          sleepQuietly(500);
          resync();
        }
      }
    }

    private void resync() {
      try {
        V1PodList list = list();
        Map<String, V1Pod> seen = new LinkedHashMap<>();
        for (V1Pod pod : list.getItems()) {
          seen.put(pod.getMetadata().getUid(), pod);
          try {
            update(pod, false, true);
          } catch (IllegalStateException e) {
            events.log(LogEvent.warn(e.getMessage()));
          }
        }
        List.copyOf(live.keySet()).stream().filter(uid -> !seen.containsKey(uid))
            .forEach(this::forget);
        resourceVersion = list.getMetadata().getResourceVersion();
      } catch (IOException e) {
        events.log(LogEvent.warn(e.getMessage()));
        sleepQuietly(1000);
      }
    }

    private void update(V1Pod pod, boolean deleted, boolean announce) {
      String uid = pod.getMetadata().getUid();
      if (deleted || pod.getMetadata().getDeletionTimestamp() != null) {
        forget(uid);
        return;
      }
      String chosen = chooseContainer(pod);
      V1ContainerStatus status = Optional.ofNullable(pod.getStatus())
          .map(s -> s.getContainerStatuses()).orElse(List.of()).stream()
          .filter(s -> s.getName().equals(chosen)).findFirst().orElse(null);
      if (status == null || status.getState() == null || status.getState().getRunning() == null) {
        forget(uid);
        return;
      }
      String node = pod.getSpec().getNodeName();
      Optional<Integer> port = pod.getSpec().getContainers().stream()
          .filter(c -> c.getName().equals(chosen)).findFirst()
          .flatMap(c -> Optional.ofNullable(c.getPorts()).orElse(List.of()).stream()
              .filter(p -> p.getProtocol() == null || p.getProtocol().equals("TCP"))
              .map(p -> p.getContainerPort()).findFirst());
      PodContainer destination = new PodContainer(namespace, pod.getMetadata().getName(), uid,
          chosen, status.getRestartCount(), node, platformOf(node), api, port);
      PodContainer previous = live.put(uid, destination);
      if (previous != null && !previous.equals(destination)) {
        previous.closeForwards();
      }
      if (followLogs && !destination.equals(previous) && !closed) {
        // A container found at start has a past: only its new lines. A new or restarted
        // container is read from its first line, which is what its start printed.
        LogFollower follower = new LogFollower(destination, announce ? null : 1);
        LogFollower old = logs.put(uid, follower);
        if (old != null) {
          old.stop();
        }
        follower.start();
      }
      if (announce && !destination.equals(previous)) {
        events.destinationsAdded(List.of(destination));
      }
    }

    private void forget(String uid) {
      PodContainer gone = live.remove(uid);
      if (gone != null) {
        gone.closeForwards();
      }
      LogFollower follower = logs.remove(uid);
      if (follower != null) {
        follower.stop();
      }
    }

    /** Follows one container's log; a failed stream is reported, never a failed reload. */
    private final class LogFollower {
      private final PodContainer destination;
      private final Integer sinceSeconds;
      private final Thread reader;
      private volatile boolean stopped;
      private volatile InputStream stream;

      LogFollower(PodContainer destination, Integer sinceSeconds) {
        this.destination = destination;
        this.sinceSeconds = sinceSeconds;
        this.reader = new Thread(this::follow, "hotreload-logs-" + destination.pod());
        reader.setDaemon(true);
      }

      void start() {
        reader.start();
      }

      private void follow() {
        Integer since = sinceSeconds;
        while (!stopped && !closed) {
          try (InputStream in = new PodLogs(api).streamNamespacedPodLog(namespace,
              destination.pod(), destination.container(), since, null, false)) {
            stream = in;
            if (stopped) {
              return;
            }
            BufferedReader lines = new BufferedReader(
                new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null && !stopped;
                line = lines.readLine()) {
              events.output(destination, line);
            }
            return; // the container ended; a restarted one gets a follower of its own
          } catch (java.io.InterruptedIOException e) {
            // A client with a read timeout gives up on a quiet log: nothing was missed in the
            // quiet time, so carry on from the last second.
            since = 1;
          } catch (IOException | ApiException | RuntimeException e) {
            if (!stopped && !closed) {
              events.log(LogEvent.debug("Following the log of " + destination.id()
                  + " stopped: " + e));
            }
            return;
          }
        }
      }

      void stop() {
        stopped = true;
        InputStream in = stream;
        if (in != null) {
          try {
            in.close();
          } catch (IOException e) {
            // closing anyway
          }
        }
        reader.interrupt();
      }
    }

    private String chooseContainer(V1Pod pod) {
      List<V1Container> containers = pod.getSpec().getContainers();
      List<String> names = containers.stream().map(V1Container::getName).toList();
      if (container != null) {
        if (!names.contains(container)) {
          throw new IllegalStateException("Pod " + pod.getMetadata().getName() + " has no "
              + "container '" + container + "'; it has " + names);
        }
        return container;
      }
      List<String> supervised = containers.stream()
          .filter(c -> AgentLayout.isAgentCommand(c.getCommand()))
          .map(V1Container::getName).toList();
      if (supervised.size() == 1) {
        return supervised.get(0);
      }
      if (containers.size() == 1) {
        return containers.get(0).getName();
      }
      throw new IllegalStateException("Pod " + pod.getMetadata().getName() + " has containers "
          + names + " and none or several run the hotreload agent: choose one with "
          + ".container(name)");
    }

    private Optional<Platform> platformOf(String node) {
      if (node == null) {
        return Optional.empty();
      }
      return nodes.computeIfAbsent(node, n -> {
        try {
          V1NodeSystemInfo info = core.readNode(n).execute().getStatus().getNodeInfo();
          return Optional.of(Platform.of(info.getOperatingSystem(), info.getArchitecture()));
        } catch (ApiException | RuntimeException e) {
          // Without read access to nodes the check is skipped, not the delivery.
          events.log(LogEvent.debug("Cannot read node " + n + ": " + e));
          return Optional.empty();
        }
      });
    }

    @Override
    public List<Destination> destinations() {
      return List.copyOf(live.values());
    }

    @Override
    public void close() {
      closed = true;
      live.values().forEach(PodContainer::closeForwards);
      logs.values().forEach(LogFollower::stop);
      Watch<V1Pod> w = watch;
      if (w != null) {
        try {
          w.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
      thread.interrupt();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
