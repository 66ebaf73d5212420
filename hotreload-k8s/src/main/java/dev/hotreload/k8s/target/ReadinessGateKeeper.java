package dev.hotreload.k8s.target;

import com.google.gson.Gson;
import dev.hotreload.LogEvent;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentProtocol;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.util.PatchUtils;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps the pods of a workload from serving stale code: their pod template carries a readiness
 * gate ({@link dev.hotreload.k8s.manifest.ManifestRewriter#readinessGate}), so a new pod is not
 * Ready — gets no Service traffic, does not count for a rollout — until this keeper has seen
 * every agent of the pod run the session's current build (what {@code agent status} says), or
 * the build before it after the current one crashed there and the agent rolled it back, and
 * set the gate's condition to True in the pod's status. Pods whose condition is True are not
 * asked again. Needs {@code patch} on {@code pods/status}.
 */
public final class ReadinessGateKeeper implements Closeable {
  private static final Gson GSON = new Gson();

  private final ApiClient client;
  private final KubernetesTarget workload;
  private final String conditionType;
  private final Supplier<Set<String>> currentBuilds;
  private final Consumer<LogEvent> log;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "hotreload-readiness-gate");
    thread.setDaemon(true);
    return thread;
  });
  private volatile String selector;

  /**
   * A keeper; {@link #start()} starts it.
   *
   * @param client the API client
   * @param workload the workload whose pods carry the gate
   * @param conditionType the gate's condition type
   * @param currentBuilds the builds (sha256, one per platform) a pod's agents may run to be
   *     Ready
   * @param log where it says what it did
   */
  public ReadinessGateKeeper(ApiClient client, KubernetesTarget workload, String conditionType,
      Supplier<Set<String>> currentBuilds, Consumer<LogEvent> log) {
    this.client = Objects.requireNonNull(client, "client");
    this.workload = Objects.requireNonNull(workload, "workload");
    this.conditionType = Objects.requireNonNull(conditionType, "conditionType");
    this.currentBuilds = Objects.requireNonNull(currentBuilds, "currentBuilds");
    this.log = Objects.requireNonNull(log, "log");
  }

  /**
   * Reads the workload's selector and checks its pods every 300 ms from now on.
   *
   * @return this
   * @throws IOException if the workload cannot be read
   */
  public ReadinessGateKeeper start() throws IOException {
    selector = workload.labelSelectorOf(client);
    timer.scheduleWithFixedDelay(this::checkQuietly, 0, 300, TimeUnit.MILLISECONDS);
    return this;
  }

  private void checkQuietly() {
    try {
      check();
    } catch (IOException | ApiException | RuntimeException e) {
      log.accept(LogEvent.debug("readiness gate of " + workload + ": " + e.getMessage()));
    }
  }

  private void check() throws IOException, ApiException {
    Set<String> current = currentBuilds.get();
    if (current.isEmpty()) {
      return;
    }
    CoreV1Api api = new CoreV1Api(client);
    for (V1Pod pod : api.listNamespacedPod(workload.namespace()).labelSelector(selector)
        .execute().getItems()) {
      if (pod.getMetadata().getDeletionTimestamp() == null && !gateOpen(pod)
          && runsEverywhere(pod, current)) {
        open(api, pod);
      }
    }
  }

  private boolean gateOpen(V1Pod pod) {
    List<V1PodCondition> conditions = pod.getStatus() == null ? null
        : pod.getStatus().getConditions();
    return conditions != null && conditions.stream()
        .anyMatch(c -> conditionType.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Whether every agent of the pod is running and says it runs one of these builds. */
  private boolean runsEverywhere(V1Pod pod, Set<String> builds) throws IOException {
    List<V1ContainerStatus> statuses = pod.getStatus() == null ? null
        : pod.getStatus().getContainerStatuses();
    boolean any = false;
    for (V1Container container : pod.getSpec().getContainers()) {
      if (!AgentLayout.isAgentCommand(container.getCommand())) {
        continue;
      }
      any = true;
      Optional<V1ContainerStatus> status = statuses == null ? Optional.empty()
          : statuses.stream().filter(s -> s.getName().equals(container.getName())).findFirst();
      if (status.isEmpty() || status.get().getState() == null
          || status.get().getState().getRunning() == null) {
        return false;
      }
      String directory = AgentLayout.stateDirectoryOf(container.getCommand())
          .orElse(AgentLayout.STATE_DIRECTORY);
      PodContainer target = new PodContainer(workload.namespace(), pod.getMetadata().getName(),
          pod.getMetadata().getUid(), container.getName(), status.get().getRestartCount(),
          pod.getSpec().getNodeName(), Optional.empty(), client, Optional.empty(),
          Optional.of(directory));
      PodExec.Result result = new PodExec(client).run(target,
          List.of(AgentLayout.PATH, "status", "--dir", directory), null, null,
          Duration.ofSeconds(10));
      // A pod whose agent rolled back a build that crashed soon after it was ready runs the
      // last good one: what every replica should serve until a fix arrives.
      if (AgentProtocol.runningSha256(result.stdout()).filter(builds::contains).isEmpty()
          && AgentProtocol.rolledBack(result.stdout()).isEmpty()) {
        return false;
      }
    }
    return any;
  }

  private void open(CoreV1Api api, V1Pod pod) throws ApiException {
    String name = pod.getMetadata().getName();
    Map<String, Object> patch = Map.of("status", Map.of("conditions", List.of(Map.of(
        "type", conditionType, "status", "True",
        "lastTransitionTime", Instant.now().toString(),
        "message", "runs the dev session's current build"))));
    PatchUtils.patch(V1Pod.class,
        () -> api.patchNamespacedPodStatus(name, workload.namespace(),
            new V1Patch(GSON.toJson(patch))).buildCall(null),
        V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
    log.accept(LogEvent.info("pod " + name + " runs the current build: " + conditionType
        + " is True, so it can be Ready"));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
