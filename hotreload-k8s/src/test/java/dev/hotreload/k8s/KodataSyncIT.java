package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import dev.hotreload.k8s.testing.Http10;
import dev.hotreload.k8s.testing.LocalCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kodata sync on the real cluster, with the hello example (non-root, read-only root file
 * system): an edit under kodata/ reaches the pod without a build, a binary edit afterwards keeps
 * it, and a replaced pod gets it too.
 */
@ExtendWith(LocalCluster.class)
class KodataSyncIT {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private String namespace;

  @AfterEach
  void deleteNamespace() throws Exception {
    if (namespace != null) {
      new CoreV1Api(client).deleteNamespace(namespace).execute();
    }
  }

  @Test
  void kodataEdit_isServedWithoutABuild_keptByABinaryEdit_andGivenToAReplacedPod(
      ApiClient apiClient) throws Exception {
    client = apiClient;
    namespace = "kodata-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    CoreV1Api core = new CoreV1Api(client);
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(namespace)))
        .execute();
    Path workspace = copy(LocalCluster.repositoryRoot().resolve("examples/hello"),
        dir.resolve("hello"));
    Path banner = workspace.resolve("kodata/banner.txt");
    Path main = workspace.resolve("cmd/server/main.go");

    try (DevSession dev = KubernetesDev.forWorkspace(workspace)
        .manifests(workspace.resolve("k8s"))
        .apiClient(client, namespace)
        .registry(LocalCluster.REGISTRY)
        .portForward("deployment/hello", 0, 8080)
        .listener(ConsoleProgress.toStdout())
        .start()) {
      dev.awaitReady(WAIT);
      int port = dev.localPort("deployment/hello");
      awaitGet(port, "/kodata", Files.readString(banner));

      long seen = dev.lastSequence();
      Files.writeString(banner, "a banner edited in kodata\n");
      ReloadReport data = dev.awaitReloadAfter(seen, WAIT);
      assertThat(data.reload().trigger()).isEqualTo(Reload.Trigger.DATA_CHANGE);
      assertThat(data.succeeded()).as(data.failure().orElse("")).isTrue();
      assertThat(data.phases()).as("no build").doesNotContainKey(Phase.BUILD);
      assertThat(data.bytesSent()).as("a small tar").isPositive().isLessThan(10_000);
      awaitGet(port, "/kodata", "a banner edited in kodata\n");

      seen = dev.lastSequence();
      Files.writeString(main, Files.readString(main).replace("hotreload v1", "hotreload v2"));
      ReloadReport binary = dev.awaitReloadAfter(seen, WAIT);
      assertThat(binary.reload().trigger()).isEqualTo(Reload.Trigger.FILE_CHANGE);
      assertThat(binary.succeeded()).as(binary.failure().orElse("")).isTrue();
      awaitGet(port, "/", "Hello from hotreload v2");
      assertThat(Http10.get(port, "/kodata")).as("the binary edit keeps the synced data")
          .isEqualTo("a banner edited in kodata\n");

      V1Pod pod = core.listNamespacedPod(namespace).labelSelector("app=hello").execute()
          .getItems().get(0);
      core.deleteNamespacedPod(pod.getMetadata().getName(), namespace).execute();
      awaitGet(port, "/", "Hello from hotreload v2");
      awaitGet(port, "/kodata", "a banner edited in kodata\n");
    }
  }

  private static void awaitGet(int port, String path, String expected) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      last = Http10.get(port, path);
      if (expected.equals(last)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("GET " + path + " did not answer '" + expected + "' within " + WAIT
        + "; last answer: " + last);
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return to;
  }
}
