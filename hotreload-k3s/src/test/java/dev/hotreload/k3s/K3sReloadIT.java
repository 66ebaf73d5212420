package dev.hotreload.k3s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.ReloadReport;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k3s.testing.K3sNodes;
import dev.hotreload.k8s.dev.KubernetesDev;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.k3s.K3sContainer;

/**
 * The hello example deployed into a K3s cluster from Testcontainers' K3sContainer, on the real
 * Docker engine, with the K3s-compatible node image scripts/k3s-node builds: an edit reloads the
 * Deployment's pod in place, a compile error keeps it running.
 */
class K3sReloadIT {
  static K3sContainer k3s;

  @BeforeAll
  static void startK3s() throws Exception {
    long started = System.nanoTime();
    k3s = K3sNodes.container();
    k3s.start();
    System.out.printf("[k3s] K3sContainer started in %d ms%n",
        (System.nanoTime() - started) / 1_000_000);
  }

  @AfterAll
  static void stopK3s() {
    if (k3s != null) {
      k3s.stop();
    }
  }

  @Test
  void deploymentInK3s_reloadsOnEdit_andKeepsRunningThroughACompileError(@TempDir Path dir)
      throws Exception {
    Path workspace = copy(Path.of("../examples/hello"), dir.resolve("hello"));
    Path main = workspace.resolve("cmd/server/main.go");
    try (DevSession dev = K3sDev.on(k3s, KubernetesDev.forWorkspace(workspace)
            .manifests(workspace.resolve("k8s"))
            .portForward("deployment/hello", 0, 8080))
        .start()) {
      dev.awaitReady(Duration.ofMinutes(2));
      int port = dev.localPort("deployment/hello");
      String pod = podOf(dev);
      assertThat(get(port)).isEqualTo("Hello from hotreload v1");

      ReloadReport edited = edit(dev, main, "hotreload v1", "hotreload v2");
      assertThat(edited.succeeded()).as(edited.toString()).isTrue();
      assertThat(get(port)).isEqualTo("Hello from hotreload v2");
      assertThat(podOf(dev)).as("the same pod").isEqualTo(pod);
      assertThat(edited.bytesSent()).as("a delta").isLessThan(edited.bytesRaw() / 4);

      ReloadReport broken = edit(dev, main, "func main() {", "func main() {\n\tnotDefined()");
      assertThat(broken.succeeded()).isFalse();
      assertThat(get(port)).isEqualTo("Hello from hotreload v2");
    }
  }

  private static ReloadReport edit(DevSession dev, Path file, String from, String to)
      throws Exception {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(text).contains(from);
    long sequence = dev.lastSequence();
    Files.writeString(file, text.replace(from, to), StandardCharsets.UTF_8);
    return dev.awaitReloadAfter(sequence, Duration.ofMinutes(1));
  }

  /** The hello pod's name, uid and restart count, from the cluster. */
  private static String podOf(DevSession dev) throws Exception {
    ApiClient client = K3sDev.connection(k3s).client();
    List<V1Pod> pods = new CoreV1Api(client).listNamespacedPod("default")
        .labelSelector("app=hello").execute().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    assertThat(pods).as("running hello pods").hasSize(1);
    V1Pod pod = pods.get(0);
    return pod.getMetadata().getName() + "/" + pod.getMetadata().getUid() + "/restarts="
        + pod.getStatus().getContainerStatuses().get(0).getRestartCount();
  }

  private static String get(int port) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
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
