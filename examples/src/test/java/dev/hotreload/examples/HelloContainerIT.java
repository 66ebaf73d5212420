package dev.hotreload.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.ReloadReport;
import dev.hotreload.core.Readiness;
import dev.hotreload.docker.junit.DevContainer;
import dev.hotreload.docker.junit.HotReloadExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.containers.GenericContainer;

/**
 * How an integration-test harness uses hotreload with Testcontainers: the hello service runs in
 * a container started from its dev image; the test edits the Go code and the same container
 * answers with the new code. README shows this class as it is.
 */
// ---- README: testcontainers
class HelloContainerIT {

  @RegisterExtension
  static final HotReloadExtension hello = HotReloadExtension.forWorkspace(Path.of("hello"))
      .mainPackage("./cmd/server")
      .container(image -> new GenericContainer<>(image).withExposedPorts(8080))
      .readiness(Readiness.httpGet(8080, "/healthz"));

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void anEditIsServedBySameContainer(DevContainer dev) throws Exception {
    String container = dev.container().getContainerId();
    assertThat(get(dev.uri(8080))).isEqualTo("Hello from hotreload v1");

    ReloadReport reload = dev.edit("cmd/server/main.go",       // on a copy of the workspace
        code -> code.replace("hotreload v1", "hotreload v2"));

    assertThat(reload.succeeded()).isTrue();
    assertThat(get(dev.uri(8080))).isEqualTo("Hello from hotreload v2");
    assertThat(dev.container().getContainerId()).isEqualTo(container);
  }

  String get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).body();
  }
}
// ---- README: end
