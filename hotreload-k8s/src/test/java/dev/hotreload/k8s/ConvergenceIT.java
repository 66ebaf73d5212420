package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Platform;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.k8s.testing.ReplicaAnswers;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every replica ends up on the newest good binary on the real cluster: after a flood of edits
 * during builds, and for pods that appear while the code does not compile.
 */
@ExtendWith(LocalCluster.class)
class ConvergenceIT {
  private static final String NAMESPACE = DevDeployments.NAMESPACE;
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private final String name = DevDeployments.uniqueName("converge");
  private GoWorkspace workspace;
  private Session session;

  @BeforeEach
  void deploy(ApiClient apiClient) throws Exception {
    client = apiClient;
    workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "v0");
    DevDeployments.agentMode(client, name, workspace, dir, 2);
    session = HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(Platform.linuxHost())
        .target(KubernetesTarget.deployment(NAMESPACE, name).apiClient(client))
        .start();
    session.awaitReady(WAIT);
  }

  @AfterEach
  void cleanUp() {
    if (session != null) {
      session.close();
    }
    DevDeployments.delete(client, name);
  }

  @Test
  void floodOfEditsDuringBuilds_everyReplicaServesTheLastOne() throws Exception {
    for (int i = 1; i <= 12; i++) {
      workspace.greeting("flood " + i);
      Thread.sleep(40);
    }

    awaitEveryReplica("flood 12", 2);
  }

  @Test
  void podsThatAppearWhileTheCodeDoesNotCompile_getTheNewestGoodBinary() throws Exception {
    long seen = session.lastSequence();
    workspace.greeting("last good");
    session.awaitReloadAfter(seen, WAIT);
    awaitEveryReplica("last good", 2);

    seen = session.lastSequence();
    workspace.breakBuild();
    assertThat(session.awaitReloadAfter(seen, WAIT).succeeded()).isFalse();
    V1Deployment deployment = new AppsV1Api(client).readNamespacedDeployment(name, NAMESPACE)
        .execute();
    deployment.getSpec().setReplicas(3);
    new AppsV1Api(client).replaceNamespacedDeployment(name, NAMESPACE, deployment).execute();

    awaitEveryReplica("last good", 3);

    workspace.greeting("fixed");
    awaitEveryReplica("fixed", 3);
  }

  @Test
  void aBinaryThatCrashesAtStart_isRolledBackEverywhere_thenTheFixReachesEveryReplica()
      throws Exception {
    long seen = session.lastSequence();
    workspace.greeting("before the crash");
    session.awaitReloadAfter(seen, WAIT);
    awaitEveryReplica("before the crash", 2);

    seen = session.lastSequence();
    workspace.crashAtStart("never served");
    ReloadReport crash = session.awaitReloadAfter(seen, WAIT);
    assertThat(crash.succeeded()).isFalse();
    assertThat(crash.failure()).hasValueSatisfying(f -> assertThat(f).contains("rolled back"));
    awaitEveryReplica("before the crash", 2);

    workspace.greeting("after the fix");
    awaitEveryReplica("after the fix", 2);
  }

  private void awaitEveryReplica(String expected, int replicas) throws Exception {
    try (ReplicaAnswers answers = new ReplicaAnswers(client, NAMESPACE, name, 8080)) {
      answers.await(expected, replicas, WAIT);
    }
  }
}
