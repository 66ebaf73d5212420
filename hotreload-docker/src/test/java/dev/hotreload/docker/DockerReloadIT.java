package dev.hotreload.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.core.Readiness;
import dev.hotreload.docker.junit.DevContainer;
import dev.hotreload.docker.junit.HotReloadExtension;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.containers.GenericContainer;

/**
 * The hello example in a container of the real Docker engine (scripts/docker), through the
 * JUnit extension: edits reach the same container, a compile error keeps the running binary, a
 * container Docker restarts gets the current binary again, and the image is scratch-based.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerReloadIT {
  private static final String MAIN = "cmd/server/main.go";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @RegisterExtension
  static final HotReloadExtension hello =
      HotReloadExtension.forWorkspace(Path.of("../examples/hello"))
          .mainPackage("./cmd/server")
          .container(image -> new GenericContainer<>(image).withExposedPorts(8080))
          .readiness(Readiness.httpGet(8080, "/healthz"));

  @Test
  @Order(1)
  void firstDelivery_sendsNothing_becauseTheContainerRunsThatBuild(DevContainer dev)
      throws Exception {
    ReloadReport first = dev.session().history().get(0);
    assertThat(first.succeeded()).as(first.toString()).isTrue();
    assertThat(first.bytesSent()).isZero();
    assertThat(get(dev)).isEqualTo("Hello from hotreload v1");
  }

  @Test
  @Order(2)
  void edit_isServedByTheSameContainer(DevContainer dev) throws Exception {
    InspectContainerResponse before = inspect(dev);

    ReloadReport report = dev.edit(MAIN, text -> text.replace("hotreload v1", "hotreload v2"));

    assertThat(report.succeeded()).as(report.toString()).isTrue();
    assertThat(get(dev)).isEqualTo("Hello from hotreload v2");
    InspectContainerResponse after = inspect(dev);
    assertThat(after.getId()).isEqualTo(before.getId());
    assertThat(after.getState().getStartedAt()).isEqualTo(before.getState().getStartedAt());
    // a delta against the build the container runs, not the 6 MB binary
    assertThat(report.bytesSent()).isLessThan(report.bytesRaw() / 4);
  }

  @Test
  @Order(3)
  void compileError_keepsTheRunningBinary_andTheFixReloads(DevContainer dev) throws Exception {
    ReloadReport broken = dev.edit(MAIN, text -> text.replace("func main() {",
        "func main() {\n\tundefinedCall()"));

    assertThat(broken.succeeded()).isFalse();
    assertThat(broken.diagnostics()).anySatisfy(d ->
        assertThat(d.message()).contains("undefinedCall"));
    assertThat(get(dev)).isEqualTo("Hello from hotreload v2");

    ReloadReport fixed = dev.edit(MAIN, text -> text.replace("\n\tundefinedCall()", "")
        .replace("hotreload v2", "hotreload v3"));
    assertThat(fixed.succeeded()).as(fixed.toString()).isTrue();
    assertThat(get(dev)).isEqualTo("Hello from hotreload v3");
  }

  @Test
  @Order(4)
  void containerRestartedByDocker_resumesTheCurrentBinary(DevContainer dev) throws Exception {
    String startedBefore = inspect(dev).getState().getStartedAt();

    dev.container().getDockerClient().restartContainerCmd(dev.container().getContainerId())
        .withTimeout(5).exec();

    // The agent resumes the binary delivered before (its state directory outlives the restart)
    // rather than the image's (v1): no answer in between is older than v3.
    Instant deadline = Instant.now().plusSeconds(30);
    String answer = "";
    Set<String> answers = new LinkedHashSet<>();
    while (Instant.now().isBefore(deadline) && !answer.equals("Hello from hotreload v3")) {
      Thread.sleep(100);
      answer = getQuietly(dev);
      answers.add(answer);
    }
    assertThat(answer).isEqualTo("Hello from hotreload v3");
    assertThat(answers).as("answers after the restart").doesNotContain("Hello from hotreload v1");
    assertThat(inspect(dev).getState().getStartedAt()).isNotEqualTo(startedBefore);
  }

  @Test
  @Order(5)
  void theImageIsScratchBased_noShellNoTar(DevContainer dev) throws Exception {
    // 126/127: the runtime found no such file to execute
    assertThat(dev.container().execInContainer("/bin/sh", "-c", "true").getExitCode())
        .as("exit code of /bin/sh in the dev image").isIn(126, 127);
    assertThat(dev.container().execInContainer("tar", "--version").getExitCode())
        .as("exit code of tar in the dev image").isIn(126, 127);
  }

  @Test
  @Order(6)
  void kodataEdit_isDeliveredWithoutABuild_intoTheCopyTheAppReads(DevContainer dev)
      throws Exception {
    ReloadReport report = dev.edit("kodata/banner.txt", text -> "edited banner\n");

    assertThat(report.reload().trigger()).isEqualTo(Reload.Trigger.DATA_CHANGE);
    assertThat(report.succeeded()).as(report.toString()).isTrue();
    assertThat(report.phases()).doesNotContainKey(Phase.BUILD);
    assertThat(get(dev, "kodata")).isEqualTo("edited banner\n");
    assertThat(get(dev)).as("the binary stays").isEqualTo("Hello from hotreload v3");
  }

  private static InspectContainerResponse inspect(DevContainer dev) {
    return dev.container().getDockerClient()
        .inspectContainerCmd(dev.container().getContainerId()).exec();
  }

  private static String get(DevContainer dev) throws IOException, InterruptedException {
    return get(dev, "");
  }

  private static String get(DevContainer dev, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(dev.uri(8080).resolve(path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private static String getQuietly(DevContainer dev) throws InterruptedException {
    try {
      return get(dev);
    } catch (IOException e) {
      return "";
    }
  }

}
