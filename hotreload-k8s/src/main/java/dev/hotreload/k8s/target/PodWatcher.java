package dev.hotreload.k8s.target;

import com.google.gson.reflect.TypeToken;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Tracks the pods; a daemon thread runs the watch and re-lists when it expires. */
final class PodWatcher implements TargetHandle {
  // Asked on every pod event rather than copied: its container and followLogs settings decide.
  private final KubernetesTarget target;
  private final String namespace;
  private final String name;
  private final ApiClient api;
  private final CoreV1Api core;
  private final String selector;
  private final TargetEvents events;
  private final Map<String, PodContainer> live = new ConcurrentHashMap<>();
  private final Map<String, Optional<Platform>> nodes = new ConcurrentHashMap<>();
  private final Map<String, PodLogFollower> logs = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;
  private volatile Watch<V1Pod> watch;
  private String resourceVersion;

  PodWatcher(KubernetesTarget target, ApiClient api, String selector, TargetRequest request) {
    this.target = target;
    this.namespace = target.namespace();
    this.name = target.podName();
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
      throw new IOException("Listing pods of " + target + " failed: HTTP "
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
        events.log(LogEvent.debug("Pod watch of " + target + " ended (" + e
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
      List.copyOf(live.keySet()).stream().map(PodWatcher::podOf)
          .filter(uid -> !seen.containsKey(uid)).distinct().forEach(this::forget);
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
    String node = pod.getSpec().getNodeName();
    Optional<Platform> nodePlatform = platformOf(node);
    if (!target.accepts(nodePlatform)) {
      forget(uid); // another target, with the binary for that node's platform, serves it
      return;
    }
    for (V1Container container : target.chooseContainers(pod)) {
      update(pod, container, node, nodePlatform, announce);
    }
  }

  /** One matched container of a pod: a destination while it runs. */
  private void update(V1Pod pod, V1Container container, String node,
      Optional<Platform> nodePlatform, boolean announce) {
    String key = pod.getMetadata().getUid() + "/" + container.getName();
    V1ContainerStatus status = Optional.ofNullable(pod.getStatus())
        .map(s -> s.getContainerStatuses()).orElse(List.of()).stream()
        .filter(s -> s.getName().equals(container.getName())).findFirst().orElse(null);
    if (status == null || status.getState() == null || status.getState().getRunning() == null) {
      forgetKey(key);
      return;
    }
    Optional<Integer> port = Optional.ofNullable(container.getPorts()).orElse(List.of()).stream()
        .filter(p -> p.getProtocol() == null || p.getProtocol().equals("TCP"))
        .map(p -> p.getContainerPort()).findFirst();
    PodContainer destination = new PodContainer(namespace, pod.getMetadata().getName(),
        pod.getMetadata().getUid(), container.getName(), status.getRestartCount(), node,
        nodePlatform, api, port, AgentLayout.stateDirectoryOf(container.getCommand()));
    PodContainer previous = live.put(key, destination);
    if (previous != null && !previous.equals(destination)) {
      previous.closeForwards();
    }
    if (target.followsLogs() && !destination.equals(previous) && !closed) {
      // A container found at start has a past: only its new lines. A new or restarted
      // container is read from its first line, which is what its start printed.
      PodLogFollower follower = new PodLogFollower(destination, announce ? null : 1, events,
          () -> closed);
      PodLogFollower old = logs.put(key, follower);
      if (old != null) {
        old.stop();
      }
      follower.start();
    }
    if (announce && !destination.equals(previous)) {
      events.destinationsAdded(List.of(destination));
    }
  }

  /** The pod uid a destination key ({@code uid/container}) belongs to. */
  private static String podOf(String key) {
    return key.substring(0, key.indexOf('/'));
  }

  private void forget(String uid) {
    List.copyOf(live.keySet()).stream().filter(key -> podOf(key).equals(uid))
        .forEach(this::forgetKey);
  }

  private void forgetKey(String key) {
    PodContainer gone = live.remove(key);
    if (gone != null) {
      gone.closeForwards();
    }
    PodLogFollower follower = logs.remove(key);
    if (follower != null) {
      follower.stop();
    }
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
    logs.values().forEach(PodLogFollower::stop);
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

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
