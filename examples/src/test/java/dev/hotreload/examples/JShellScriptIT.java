package dev.hotreload.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.k8s.testing.Http10;
import dev.hotreload.k8s.testing.LocalCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/hotreload.jsh} run as README says, through the real {@code jshell} with the
 * uber-jar, against the local cluster: it deploys, answers, reloads an edit, and {@code
 * dev.close()} leaves the cluster as it was.
 */
@ExtendWith(LocalCluster.class)
class JShellScriptIT {
  private static final Duration WAIT = Duration.ofMinutes(4);

  @Test
  void script_deploysAndReloadsAnEdit_closeRestores(ApiClient client, @TempDir Path dir)
      throws Exception {
    Path repository = LocalCluster.repositoryRoot();
    Path jar = repository.resolve("examples/target/hotreload.jar");
    assertThat(jar).as("the uber-jar ./mvnw package builds").isRegularFile();
    Path hello = EditLoop.copy(HelloApp.source());
    Files.createDirectories(dir.resolve("examples"));
    Files.move(hello, dir.resolve("examples/hello"));
    Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");

    ProcessBuilder command = new ProcessBuilder(List.of(jshell.toString(), "--class-path",
        jar.toString(), repository.resolve("examples/hotreload.jsh").toString()))
        .directory(dir.toFile()).redirectErrorStream(true);
    command.environment().put("KUBECONFIG", LocalCluster.kubeconfig().toString());
    Process process = command.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          System.out.println("jshell| " + line);
          lines.add(line);
        }
      } catch (Exception e) {
        lines.add("(reading jshell's output failed: " + e + ")");
      }
    });
    reader.start();
    try (OutputStream stdin = process.getOutputStream()) {
      await(() -> lines.stream().anyMatch(l -> l.contains("answers on http://127.0.0.1:8080/")),
          "the script's last line", lines);
      await(() -> "Hello from hotreload v1".equals(Http10.get(8080)), "the first answer", lines);

      HelloApp.setGreeting(dir.resolve("examples/hello"), "hello from JShell");
      await(() -> "hello from JShell".equals(Http10.get(8080)), "the edited answer", lines);

      stdin.write("dev.close()\n/exit\n".getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("jshell exits after /exit").isTrue();
    } finally {
      process.destroyForcibly();
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(lines).as("no snippet error").noneMatch(l -> l.contains("Error:")
        || l.contains("illegal start") || l.contains("cannot find symbol"));
    assertThat(lines).as("no SLF4J warnings").noneMatch(l -> l.contains("SLF4J"));
    assertThat(new AppsV1Api(client).listNamespacedDeployment("default").execute().getItems())
        .as("dev.close() removed the Deployment the script applied")
        .noneMatch(d -> d.getMetadata().getName().equals(HelloApp.NAME));
  }

  @Test
  void uberJar_holdsTheLibrary_notTheTestHarness() throws Exception {
    Path jar = LocalCluster.repositoryRoot().resolve("examples/target/hotreload.jar");
    List<String> entries;
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
      entries = zip.stream().map(java.util.zip.ZipEntry::getName).toList();
    }

    assertThat(entries).contains("dev/hotreload/k8s/dev/KubernetesDev.class",
        "dev/hotreload/core/agent/go/main.go", "org/slf4j/nop/NOPServiceProvider.class");
    assertThat(entries).noneMatch(e -> e.startsWith("org/junit/"))
        .noneMatch(e -> e.startsWith("org/assertj/"))
        .noneMatch(e -> e.startsWith("dev/hotreload/") && e.contains("/testing/"));
  }

  private static void await(java.util.function.BooleanSupplier condition, String what,
      List<String> lines) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("No " + what + " within " + WAIT + "; jshell printed:\n"
            + String.join("\n", lines));
      }
      Thread.sleep(200);
    }
  }
}
