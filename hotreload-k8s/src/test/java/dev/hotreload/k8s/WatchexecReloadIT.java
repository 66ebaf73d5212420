package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Platform;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.exec.TarExecTransport;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.LocalCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed design on the real local cluster: watchexec (from kodata) supervises the app, and
 * binaries arrive as a tar stream into {@code tar -x} over exec.
 */
@ExtendWith(LocalCluster.class)
class WatchexecReloadIT {
  private static final String NAMESPACE = "default";
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private String name;
  private Session session;

  @AfterEach
  void cleanUp() throws Exception {
    if (session != null) {
      session.close();
    }
    if (name != null) {
      new AppsV1Api(client).deleteNamespacedDeployment(name, NAMESPACE).execute();
    }
  }

  @Test
  void edit_isDeliveredAsTar_andWatchexecRestartsTheApp(ApiClient apiClient) throws Exception {
    client = apiClient;
    name = "watchexec-it-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    GoWorkspace workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "from the image");
    DevDeployments.watchexecMode(client, name, workspace, dir);

    session = HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(Platform.linuxHost())
        .target(KubernetesTarget.deployment(NAMESPACE, name).apiClient(client))
        .transport(new TarExecTransport())
        .readiness(Readiness.httpGet(8080, "/"))
        .start();
    session.awaitReady(WAIT);

    long seen = session.lastSequence();
    workspace.greeting("hello through tar and watchexec");
    ReloadReport edit = session.awaitReloadAfter(seen, WAIT);

    assertThat(edit.succeeded()).as(edit.failure().orElse("")).isTrue();
    String pod = new CoreV1Api(client).listNamespacedPod(NAMESPACE).labelSelector("app=" + name)
        .execute().getItems().get(0).getMetadata().getName();
    try (PortForwarder forward = PortForwarder.toPod(client, NAMESPACE, pod, 8080)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String answer = null;
      while (System.nanoTime() < deadline
          && !"hello through tar and watchexec".equals(answer = new GoWorkspace.Client()
              .get(forward.localPort()))) {
        Thread.sleep(20);
      }
      assertThat(answer).isEqualTo("hello through tar and watchexec");
    }
  }
}
