package dev.hotreload.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.ReloadReport;
import dev.hotreload.k3s.junit.DevCluster;
import dev.hotreload.k3s.junit.K3sHotReloadExtension;
import dev.hotreload.k3s.testing.K3sNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How an integration-test harness uses hotreload with a K3s cluster from Testcontainers: the
 * hello service's manifests are applied to K3s with its dev image imported into the node; the
 * test edits the Go code and the same pod answers with the new code. README shows this class as
 * it is; elsewhere the cluster is {@code new K3sContainer(DockerImageName.parse(
 * "rancher/k3s:v1.34.4-k3s1"))}, here {@link K3sNodes#container()} (rancher/k3s cannot be pulled
 * on this project's machine, which builds a compatible node image instead).
 */
// ---- README: k3s
class HelloK3sIT {

  @RegisterExtension
  static final K3sHotReloadExtension hello = K3sHotReloadExtension.forWorkspace(Path.of("hello"))
      .manifests("k8s")
      .portForward("deployment/hello", 8080)
      .k3s(K3sNodes::container);

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void anEditIsServedBySamePod(DevCluster dev) throws Exception {
    assertThat(get(dev.uri("deployment/hello"))).isEqualTo("Hello from hotreload v1");

    ReloadReport reload = dev.edit("cmd/server/main.go",       // on a copy of the workspace
        code -> code.replace("hotreload v1", "hotreload v2"));

    assertThat(reload.succeeded()).isTrue();
    assertThat(reload.bytesSent()).isLessThan(reload.bytesRaw() / 4);   // a delta, not an image
    assertThat(get(dev.uri("deployment/hello"))).isEqualTo("Hello from hotreload v2");
  }

  String get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).body();
  }
}
// ---- README: end
