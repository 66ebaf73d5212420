package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Platform;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.TransferStarts;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.ClusterFaults;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.k8s.testing.ReplicaAnswers;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real faults on the real cluster, each in the middle of a session with two replicas: a pod
 * deleted while its binary is on the way, the API server killed for ten seconds, the agent's
 * install process killed mid-stream, the agent's volume full. Each ends with every replica
 * answering the newest text, asked through its own port.
 */
@ExtendWith(LocalCluster.class)
class FaultsIT {
  private static final String NAMESPACE = DevDeployments.NAMESPACE;
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private final String name = DevDeployments.uniqueName("faults");
  private final TransferStarts transfers = new TransferStarts();
  private GoWorkspace workspace;
  private Session session;
  private ReplicaAnswers answers;

  @BeforeEach
  void deploy(ApiClient apiClient) throws Exception {
    client = apiClient;
    workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "v0");
    // Memory-backed with a size limit: the kernel answers ENOSPC when it is full.
    DevDeployments.agentMode(client, NAMESPACE, name, workspace, dir, 2,
        new V1EmptyDirVolumeSource().medium("Memory").sizeLimit(Quantity.fromString("64Mi")));
    session = HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(Platform.linuxHost())
        .target(KubernetesTarget.deployment(NAMESPACE, name).apiClient(client))
        .listener(transfers)
        .start();
    session.awaitReady(WAIT);
    answers = new ReplicaAnswers(client, NAMESPACE, name, 8080);
    answers.await("v0", 2, WAIT);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (answers != null) {
      answers.close();
    }
    if (session != null) {
      session.close();
    }
    DevDeployments.delete(client, name);
  }

  @Test
  void podDeletedWhileItsBinaryIsOnTheWay_itsReplacementAndTheOtherReplicaServeTheEdit()
      throws Exception {
    String victim = firstPod();
    transfers.drain();
    workspace.greeting("while a pod goes");
    transfers.awaitNext(WAIT);
    ClusterFaults.deletePod(client, NAMESPACE, victim);

    answers.await("while a pod goes", 2, WAIT);
    assertThat(answers.ask()).doesNotContainKey(victim);
  }

  @Test
  void apiServerKilledForTenSeconds_theEditsMadeMeanwhileLandWhenItIsBack() throws Exception {
    ClusterFaults.stopApiServer();
    try {
      workspace.greeting("made while the API server is away");
      Thread.sleep(4_000);
      workspace.greeting("the last one made while it is away");
      Thread.sleep(6_000);
    } finally {
      ClusterFaults.startApiServer();
    }

    answers.await("the last one made while it is away", 2, WAIT);
    workspace.greeting("after it came back");
    answers.await("after it came back", 2, WAIT);
  }

  @Test
  void installKilledMidStream_everyReplicaStillGetsTheEdit_andTheNextOne() throws Exception {
    String victim = firstPod();
    transfers.drain();
    workspace.greeting("while its install dies");
    transfers.awaitNext(WAIT);
    int killed = ClusterFaults.killInstalls(victim);

    assertThat(killed).as("agent install processes (the session's open stream) in " + victim)
        .isPositive();
    answers.await("while its install dies", 2, WAIT);
    workspace.greeting("the edit after");
    answers.await("the edit after", 2, WAIT);
  }

  @Test
  void agentVolumeFull_thatReplicaKeepsItsBinary_andGetsTheEditOnceThereIsRoom()
      throws Exception {
    String full = firstPod();
    Path filler = ClusterFaults.fillAgentVolume(client, NAMESPACE, full);
    try {
      long seen = session.lastSequence();
      workspace.greeting("needs room");
      ReloadReport report = session.awaitReloadAfter(seen, WAIT);

      assertThat(report.deliveries()).anySatisfy(d -> {
        assertThat(d.destination()).contains(full);
        assertThat(d.succeeded()).isFalse();
        assertThat(d.message()).contains("no space left on device", "is full");
      });
      Map<String, String> meanwhile = awaitAnswers(2, "needs room");
      assertThat(meanwhile.get(full)).as("the full replica keeps running its binary")
          .isEqualTo("v0");
      assertThat(meanwhile.values()).contains("needs room");
    } finally {
      ClusterFaults.freeAgentVolume(filler);
    }

    answers.await("needs room", 2, WAIT);
  }

  private String firstPod() throws Exception {
    return answers.ask().keySet().iterator().next();
  }

  /** The replicas' answers once all answer, one of them {@code expected}. */
  private Map<String, String> awaitAnswers(int replicas, String expected) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<String, String> now = answers.ask();
      if (now.size() == replicas && now.values().stream().allMatch(a -> a != null)
          && now.containsValue(expected)) {
        return now;
      }
      assertThat(System.nanoTime()).as("all replicas answer, one '" + expected + "': " + now)
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
