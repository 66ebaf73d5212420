package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Phase;
import dev.hotreload.Platform;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.RecordingReloadListener;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.ClusterFaults;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.LocalCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent mode on the real local cluster: a {@code FROM scratch} image (no shell, no tar) with the
 * app and the agent, three replicas running as non-root with a read-only root file system.
 */
@ExtendWith(LocalCluster.class)
class AgentReloadIT {
  private static final String NAMESPACE = "default";
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private String name;
  private GoWorkspace workspace;
  private Session session;
  private final RecordingReloadListener listener = new RecordingReloadListener();

  @BeforeEach
  void deploy(ApiClient apiClient) throws Exception {
    client = apiClient;
    name = "agent-it-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    workspace = GoWorkspace.create(dir, "from the image");
    DevDeployments.agentMode(client, name, workspace, dir, 3);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (session != null) {
      session.close();
    }
    new AppsV1Api(client).deleteNamespacedDeployment(name, NAMESPACE).execute();
  }

  @Test
  void edit_reachesEveryReplica_andAReplacedPodGetsTheCurrentBinary() throws Exception {
    session = HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(Platform.linuxHost())
        .target(KubernetesTarget.deployment(NAMESPACE, name).apiClient(client))
        // The default: the first binary whole, every later one as a delta against it.
        .transport(new ExecTransport())
        .listener(listener)
        .start();
    ReloadReport initial = session.awaitReady(WAIT);
    assertThat(initial.deliveries()).hasSize(3).allMatch(ReloadReport.Delivery::succeeded);

    long seen = session.lastSequence();
    workspace.greeting("hello after one edit");
    ReloadReport edit = session.awaitReloadAfter(seen, WAIT);

    assertThat(edit.outcome()).as(edit.failure().orElse("")).isEqualTo(ReloadReport.Outcome.SUCCEEDED);
    assertThat(edit.phases()).containsKeys(Phase.CHANGE_DETECTED, Phase.BUILD, Phase.TRANSFER,
        Phase.RESTART);
    assertThat(edit.deliveries()).hasSize(3);
    long size = edit.artifact().orElseThrow().size();
    assertThat(edit.deliveries()).allSatisfy(d -> {
      assertThat(d.bytesSent()).as("delta bytes to " + d.destination()).isPositive()
          .isLessThan(size * 3 / 10);
      // The channel each first delivery opened carried the edit: no new exec per reload.
      assertThat(d.message()).as(d.destination()).contains("over the open exec");
    });
    for (V1Pod pod : pods()) {
      assertThat(answer(pod)).as(pod.getMetadata().getName()).isEqualTo("hello after one edit");
    }

    // A compile error: reported with file:line, and every replica keeps serving the old text.
    seen = session.lastSequence();
    workspace.breakBuild();
    ReloadReport broken = session.awaitReloadAfter(seen, WAIT);
    assertThat(broken.outcome()).isEqualTo(ReloadReport.Outcome.FAILED);
    assertThat(broken.diagnostics()).anySatisfy(d -> {
      assertThat(d.file().getFileName().toString()).isEqualTo("greet.go");
      assertThat(d.line()).isEqualTo(4);
    });
    assertThat(broken.deliveries()).isEmpty();
    for (V1Pod pod : pods()) {
      assertThat(answer(pod)).as(pod.getMetadata().getName()).isEqualTo("hello after one edit");
    }
    seen = session.lastSequence();
    workspace.greeting("hello after a fix");
    assertThat(session.awaitReloadAfter(seen, WAIT).succeeded()).isTrue();

    seen = session.lastSequence();
    String victim = pods().get(0).getMetadata().getName();
    new CoreV1Api(client).deleteNamespacedPod(victim, NAMESPACE).execute();
    ReloadReport replaced = awaitTrigger(seen, Reload.Trigger.TARGET_CHANGED);

    assertThat(replaced.succeeded()).as(replaced.failure().orElse("")).isTrue();
    assertThat(replaced.deliveries()).singleElement()
        .satisfies(d -> assertThat(d.destination()).doesNotContain(victim))
        // A new pod runs the image's binary, which the session found running at its start:
        // a delta against it, not the whole binary.
        .satisfies(d -> assertThat(d.bytesSent()).isPositive().isLessThan(size / 4));
    new Deployer(client, NAMESPACE).awaitRollout(NAMESPACE, name, WAIT);
    for (V1Pod pod : pods()) {
      assertThat(answer(pod)).as(pod.getMetadata().getName()).isEqualTo("hello after a fix");
    }
  }

  @Test
  void killedContainer_getsTheCurrentBinaryAgain_logsReachTheListener_closeRestores()
      throws Exception {
    // Restore on close: a ConfigMap this session deploys is gone again after close.
    Deployer deployer = new Deployer(client, NAMESPACE);
    deployer.apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "-config\n"
        + "data:\n  mode: dev\n");
    session = deployer.restoreOnClose(HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(Platform.linuxHost())
        .target(KubernetesTarget.deployment(NAMESPACE, name).apiClient(client))
        .listener(listener)
        .start());
    session.awaitReady(WAIT);
    long seen = session.lastSequence();
    int linesBefore = listening().size();
    workspace.greeting("hello before the crash");
    assertThat(session.awaitReloadAfter(seen, WAIT).succeeded()).isTrue();

    // Every restarted app says where it listens; those lines come through the pods' logs.
    awaitUntil(() -> listening().size() >= linesBefore + 3,
        () -> "log lines from the three restarted apps; output so far: " + listener.output());

    // The container's PID 1 dies and the kubelet starts it again; its agent resumes the binary
    // delivered before (the pod's emptyDir outlives the container), so the session's check of
    // the restarted container finds the current build and sends nothing.
    V1Pod victim = pods().get(0);
    seen = session.lastSequence();
    ClusterFaults.killAgent(victim.getMetadata().getName());
    ReloadReport redelivered = awaitTrigger(seen, Reload.Trigger.TARGET_CHANGED);

    assertThat(redelivered.succeeded()).as(redelivered.failure().orElse("")).isTrue();
    assertThat(redelivered.deliveries()).singleElement()
        .satisfies(d -> assertThat(d.destination()).contains(victim.getMetadata().getName()));
    assertThat(redelivered.bytesSent()).as("bytes sent to the restarted container").isZero();
    V1Pod restarted = new CoreV1Api(client)
        .readNamespacedPod(victim.getMetadata().getName(), NAMESPACE).execute();
    assertThat(restarted.getStatus().getContainerStatuses().get(0).getRestartCount())
        .isGreaterThanOrEqualTo(1);
    for (V1Pod pod : pods()) {
      assertThat(answer(pod)).as(pod.getMetadata().getName()).isEqualTo("hello before the crash");
    }

    session.close();
    assertThat(new CoreV1Api(client).listNamespacedConfigMap(NAMESPACE)
        .fieldSelector("metadata.name=" + name + "-config").execute().getItems())
        .as("the ConfigMap the session deployed is removed on close").isEmpty();
  }

  private List<String> listening() {
    return listener.output().stream().filter(l -> l.equals("listening on 8080")).toList();
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what.get());
      }
      Thread.sleep(50);
    }
  }

  @Test
  void binaryForAnotherArchitecture_isRefusedBeforeSending() throws Exception {
    Platform other = Platform.linuxHost().equals(Platform.LINUX_ARM64)
        ? Platform.LINUX_AMD64 : Platform.LINUX_ARM64;
    session = HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(other)
        .target(KubernetesTarget.deployment(NAMESPACE, name).apiClient(client))
        .transport(new ExecTransport())
        .start();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.awaitReady(WAIT))
        .isInstanceOf(dev.hotreload.TransferFailedException.class)
        .hasMessageContaining("Built " + other + ", but pod/" + NAMESPACE + "/" + name)
        .hasMessageContaining("runs on " + Platform.linuxHost())
        .hasMessageContaining("set .platform(\"" + Platform.linuxHost() + "\")");
    for (V1Pod pod : pods()) {
      assertThat(answer(pod)).isEqualTo("from the image");
    }
  }

  private ReloadReport awaitTrigger(long after, Reload.Trigger trigger) throws Exception {
    long seen = after;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      ReloadReport report = session.awaitReloadAfter(seen, WAIT);
      if (report.reload().trigger() == trigger) {
        return report;
      }
      seen = report.reload().sequence();
    }
    throw new AssertionError("no " + trigger + " reload; history " + session.history());
  }

  private List<V1Pod> pods() throws Exception {
    return new CoreV1Api(client).listNamespacedPod(NAMESPACE).labelSelector("app=" + name)
        .execute().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  private String answer(V1Pod pod) throws Exception {
    try (PortForwarder forward =
        PortForwarder.toPod(client, NAMESPACE, pod.getMetadata().getName(), 8080)) {
      return new GoWorkspace.Client().get(forward.localPort());
    }
  }

}
