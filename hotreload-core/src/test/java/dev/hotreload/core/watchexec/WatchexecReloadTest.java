package dev.hotreload.core.watchexec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.WatchexecBinary;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchexec mode without a cluster: watchexec runs on this machine with exactly the arguments
 * {@link WatchexecManifestTransformer} gives the container, watching a temporary "ko-app"
 * directory, and binaries arrive as the exec transport will send them: the {@link TarStreams}
 * stream on the stdin of a real {@code tar -x}. Fails (does not skip) without watchexec: run
 * {@code scripts/install-watchexec}.
 */
class WatchexecReloadTest {
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private GoWorkspace workspace;
  private GoBuilder builder;
  private Path root;
  private Path koApp;
  private int port;
  private Process watchexec;
  private Path log;

  @BeforeEach
  void setUp() throws Exception {
    Path binary = WatchexecBinary.require();
    workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "v1");
    builder = GoBuilder.builder().cacheDirectory(dir.resolve("cache")).build();
    root = Files.createDirectories(dir.resolve("root"));
    koApp = root.resolve("ko-app");
    port = GoWorkspace.freePort();

    assertThat(deliver(build())).isZero();

    ContainerSpec container = new ContainerSpec("app", "ko://" + GoWorkspace.MODULE,
        List.of(koApp.resolve("server").toString()), List.of(), Map.of(), Optional.empty(),
        List.of());
    List<String> command = WatchexecManifestTransformer.builder()
        .watchexecPath(binary.toString()).binaryDirectory(koApp.toString())
        .stopTimeout(Duration.ofSeconds(2)).build()
        .transform(container, new Context("dev-image", List.of())).command();
    log = dir.resolve("watchexec.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("PORT", Integer.toString(port));
    watchexec = pb.start();
    awaitAnswer("v1");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (watchexec != null) {
      watchexec.descendants().forEach(ProcessHandle::destroyForcibly);
      watchexec.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Artifact build() throws IOException {
    return builder.build(new BuildRequest(workspace.root(), "./cmd/server", Platform.linuxHost()));
  }

  private byte[] stream(Artifact artifact) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarStreams.writeBinary(artifact, "/ko-app", out);
    return out.toByteArray();
  }

  /** Pipes the stream into tar as exec will, with the container's "/" moved to the temp root. */
  private int deliver(Artifact artifact) throws Exception {
    return extract(stream(artifact));
  }

  private int extract(byte[] tar) throws Exception {
    List<String> command = new ArrayList<>(TarStreams.EXTRACT_COMMAND);
    command.set(command.size() - 1, root.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(tar);
    }
    process.getInputStream().readAllBytes();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return process.exitValue();
  }

  private void awaitAnswer(String expected) throws Exception {
    long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      last = workspace.get(port);
      if (expected.equals(last)) {
        return;
      }
      assertThat(watchexec.isAlive()).as("watchexec is running; its log:\n%s", logText()).isTrue();
      Thread.sleep(5);
    }
    throw new AssertionError("The app answered " + last + ", not " + expected + " within "
        + ANSWER_TIMEOUT + "; watchexec log:\n" + logText());
  }

  private String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private long appPid() {
    Supplier<AssertionError> none = () -> new AssertionError("watchexec runs no app");
    return watchexec.children().findFirst().orElseThrow(none).pid();
  }

  @Test
  void newBinaryThroughTar_restartsTheApp_whichAnswersTheNewText_againAndAgain()
      throws Exception {
    long firstPid = appPid();
    for (String version : List.of("v2", "v3", "v4")) {
      workspace.greeting(version);
      Artifact next = build();

      assertThat(deliver(next)).isZero();

      awaitAnswer(version);
      assertThat(watchexec.isAlive()).isTrue();
    }
    assertThat(appPid()).isNotEqualTo(firstPid);
    assertThat(GoBuilder.sha256(koApp.resolve("server"))).isEqualTo(build().sha256());
  }

  @Test
  void truncatedStream_leavesTheOldBinaryRunning_andTheNextDeliveryStillWorks()
      throws Exception {
    long pid = appPid();
    workspace.greeting("v2");
    byte[] full = stream(build());

    assertThat(extract(Arrays.copyOf(full, full.length / 2))).isNotZero();

    // Longer than watchexec's 50 ms debounce and its restart: any reaction would show by now.
    Thread.sleep(1000);
    assertThat(appPid()).isEqualTo(pid);
    assertThat(workspace.get(port)).isEqualTo("v1");

    assertThat(extract(full)).isZero();
    awaitAnswer("v2");
  }
}
