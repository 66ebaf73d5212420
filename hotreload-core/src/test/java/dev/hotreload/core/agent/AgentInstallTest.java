package dev.hotreload.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentProtocol.Encoding;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.build.GoToolchain;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.LocalAgent;
import dev.hotreload.spi.TransferRequest;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the real agent, built from the source in this jar, through its stdin exactly as the
 * exec transport does: header line, payload, one JSON answer.
 */
class AgentInstallTest {
  @TempDir static Path shared;
  private static Path agent;
  private static Artifact v1;
  private static Artifact v2;

  @TempDir Path dir;
  private int port;
  private LocalAgent local;

  @BeforeAll
  static void buildAgentAndTwoVersions() throws Exception {
    GoToolchain go = GoToolchain.find();
    agent = new AgentBinaries(shared.resolve("cache"), go).agentFor(Platform.linuxHost());
    GoWorkspace workspace = GoWorkspace.create(Files.createDirectories(shared.resolve("ws")), "v1");
    GoBuilder builder = GoBuilder.builder().cacheDirectory(shared.resolve("bin")).build();
    v1 = keep(builder.build(new dev.hotreload.spi.BuildRequest(workspace.root(), "./cmd/server",
        Platform.linuxHost())), "v1");
    workspace.greeting("v2");
    v2 = keep(builder.build(new dev.hotreload.spi.BuildRequest(workspace.root(), "./cmd/server",
        Platform.linuxHost())), "v2");
  }

  /** GoBuilder reuses its output path: copy each version aside under the app's name. */
  private static Artifact keep(Artifact artifact, String version) throws Exception {
    Path copy = Files.createDirectories(shared.resolve(version)).resolve("server");
    Files.copy(artifact.path(), copy, StandardCopyOption.REPLACE_EXISTING);
    return new Artifact(copy, artifact.sha256(), artifact.size(), artifact.platform(),
        artifact.importPath());
  }

  @BeforeEach
  void startAgentWithV1() throws Exception {
    port = GoWorkspace.freePort();
    local = LocalAgent.start(agent, dir.resolve("hotreload"), v1.path(),
        Map.of("PORT", String.valueOf(port)));
    awaitAnswer("v1");
  }

  @AfterEach
  void stop() throws Exception {
    local.close();
  }

  @Test
  void goodBinary_identityAndGzip_areInstalledAndAnswer() throws Exception {
    LocalAgent.Install identity = local.install(AgentProtocol.payload(v2, Encoding.IDENTITY),
        "--wait-tcp", "127.0.0.1:" + port);

    assertThat(identity.exitCode()).as(identity.stderr()).isZero();
    assertThat(identity.result().ok()).isTrue();
    assertThat(identity.result().sha256()).isEqualTo(v2.sha256());
    assertThat(identity.result().size()).isEqualTo(v2.size());
    assertThat(get()).isEqualTo("v2");

    AgentProtocol.Payload gzip = AgentProtocol.payload(v1, Encoding.GZIP);
    LocalAgent.Install zipped = local.install(gzip, "--wait-tcp", "127.0.0.1:" + port);
    assertThat(zipped.result().ok()).as(zipped.stdout() + zipped.stderr()).isTrue();
    assertThat(zipped.result().bytes()).isEqualTo(gzip.payload().length).isLessThan(v1.size());
    assertThat(get()).isEqualTo("v1");
    assertThat(local.status()).contains(v1.sha256());
  }

  @Test
  void status_namesTheRunningBuild_soAFirstDeliveryOfTheSameBuildSendsNothing()
      throws Exception {
    assertThat(AgentProtocol.runningSha256(local.status())).contains(v1.sha256());
    assertThat(AgentProtocol.runningSha256("{\"error\":\"no agent supervisor listening\"}"))
        .isEmpty();
  }

  @Test
  void olderGenerationOfTheSession_arrivingLate_isStale_andTheNewerOneKeepsRunning()
      throws Exception {
    TransferRequest.Order newer = new TransferRequest.Order("session-a", 7);
    TransferRequest.Order older = new TransferRequest.Order("session-a", 6);
    LocalAgent.Install first = local.install(AgentProtocol.payload(v2, Encoding.IDENTITY, newer),
        "--wait-tcp", "127.0.0.1:" + port);
    assertThat(first.result().ok()).as(first.stdout() + first.stderr()).isTrue();

    LocalAgent.Install late = local.install(AgentProtocol.payload(v1, Encoding.IDENTITY, older),
        "--wait-tcp", "127.0.0.1:" + port);

    assertThat(late.result().ok()).isFalse();
    assertThat(late.result().stale()).as(late.stdout()).isTrue();
    assertThat(get()).isEqualTo("v2");
    LocalAgent.Install otherSession = local.install(AgentProtocol.payload(v1, Encoding.IDENTITY,
        new TransferRequest.Order("session-b", 1)), "--wait-tcp", "127.0.0.1:" + port);
    assertThat(otherSession.result().ok()).as("a new session starts its own order").isTrue();
    assertThat(get()).isEqualTo("v1");
  }

  @Test
  void delta_againstTheRunningBinary_installsTheNewOne_inAFewPercentOfItsBytes() throws Exception {
    AgentProtocol.Payload delta = AgentProtocol.deltaPayload(v2,
        Files.readAllBytes(v1.path()), v1.sha256());

    LocalAgent.Install install = local.install(delta, "--wait-tcp", "127.0.0.1:" + port);

    assertThat(install.result().ok()).as(install.stdout() + install.stderr()).isTrue();
    assertThat(install.result().sha256()).isEqualTo(v2.sha256());
    assertThat(install.result().bytes()).isEqualTo(delta.payload().length)
        .isLessThan(v2.size() / 10);
    assertThat(get()).isEqualTo("v2");
  }

  @Test
  void anEncodedPayload_isWrittenInOneWrite() throws Exception {
    // One write is one websocket message through an exec: a header sent on its own made the
    // payload wait for the API server's delayed acknowledgement.
    AgentProtocol.Payload delta = AgentProtocol.deltaPayload(v2,
        Files.readAllBytes(v1.path()), v1.sha256());
    List<Integer> writes = new ArrayList<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();

    delta.writeTo(new FilterOutputStream(all) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        writes.add(len);
        out.write(b, off, len);
      }
    });

    assertThat(writes).containsExactly(delta.header().length + delta.payload().length);
    assertThat(all.toByteArray()).startsWith(delta.header()).endsWith(delta.payload());
  }

  @Test
  void delta_againstAnotherBinary_isRefusedAsBaseMismatch_andNothingChanges() throws Exception {
    // The agent runs v1; a delta computed against v2 must not be applied to it.
    AgentProtocol.Payload delta = AgentProtocol.deltaPayload(v1,
        Files.readAllBytes(v2.path()), v2.sha256());

    LocalAgent.Install install = local.install(delta);

    assertThat(install.result().ok()).isFalse();
    assertThat(install.result().baseMismatch()).as(install.stdout()).isTrue();
    assertThat(install.result().currentSha256()).isEqualTo(v1.sha256());
    assertThat(get()).isEqualTo("v1");
    assertThat(local.status()).contains("\"restarts\":0");
  }

  @Test
  void truncatedStream_isRefused_andTheOldBinaryKeepsServing() throws Exception {
    AgentProtocol.Payload payload = AgentProtocol.payload(v2, Encoding.IDENTITY);
    byte[] half = Arrays.copyOf(Files.readAllBytes(v2.path()), (int) (v2.size() / 2));

    LocalAgent.Install install = local.installRaw(out -> {
      out.write(payload.header());
      out.write(half);
    });

    assertThat(install.exitCode()).isNotZero();
    assertThat(install.result().ok()).isFalse();
    assertThat(install.result().error()).containsIgnoringCase("truncated");
    assertThat(get()).isEqualTo("v1");
    assertThat(local.status()).contains(v1.sha256());
  }

  @Test
  void wrongChecksum_isRefused_andTheOldBinaryKeepsServing() throws Exception {
    Artifact lying = new Artifact(v2.path(), v1.sha256(), v2.size(), v2.platform(),
        v2.importPath());

    LocalAgent.Install install = local.install(AgentProtocol.payload(lying, Encoding.IDENTITY));

    assertThat(install.exitCode()).isNotZero();
    assertThat(install.result().ok()).isFalse();
    assertThat(install.result().error()).containsIgnoringCase("sha256");
    assertThat(get()).isEqualTo("v1");
  }

  @Test
  void appThatCrashesAtStart_isReported_andTheOldOneRunsAgain() throws Exception {
    Path crasher = Files.createDirectories(dir.resolve("crasher")).resolve("server");
    Files.writeString(crasher, "#!/bin/sh\necho 'config missing' >&2\nexit 3\n");
    crasher.toFile().setExecutable(true);
    Artifact crashing = new Artifact(crasher, GoBuilder.sha256(crasher), Files.size(crasher),
        v1.platform(), v1.importPath());

    LocalAgent.Install install = local.install(AgentProtocol.payload(crashing, Encoding.IDENTITY));

    assertThat(install.exitCode()).isNotZero();
    assertThat(install.result().ok()).isFalse();
    assertThat(install.result().exitCode()).isEqualTo(3);
    assertThat(install.result().rolledBack()).isTrue();
    awaitAnswer("v1");
    assertThat(local.alive()).isTrue();
  }

  @Test
  void appThatCrashesSoonAfterItWasReady_isRolledBackByTheAgent_whoseStatusSaysSo()
      throws Exception {
    GoWorkspace workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("crashy")),
        "v3");
    workspace.crashSoonAfterStart("v3", Duration.ofMillis(800));
    Artifact crashy = GoBuilder.builder().cacheDirectory(shared.resolve("bin-crashy")).build()
        .build(new dev.hotreload.spi.BuildRequest(workspace.root(), "./cmd/server",
            Platform.linuxHost()));

    LocalAgent.Install install = local.install(AgentProtocol.payload(crashy, Encoding.IDENTITY),
        "--wait-tcp", "127.0.0.1:" + port);

    assertThat(install.result().ok()).as("ready before it crashes").isTrue();
    awaitAnswer("v1");
    String status = local.status();
    assertThat(AgentProtocol.runningSha256(status)).contains(v1.sha256());
    assertThat(AgentProtocol.rolledBack(status)).hasValueSatisfying(why ->
        assertThat(why).contains("exited with code 4").contains("rolled back"));
  }

  @Test
  void hundredConsecutiveInstalls_allSucceed_andTheLastOneServes() throws Exception {
    AgentProtocol.Payload p1 = AgentProtocol.payload(v1, Encoding.IDENTITY);
    AgentProtocol.Payload p2 = AgentProtocol.payload(v2, Encoding.IDENTITY);
    for (int i = 1; i <= 100; i++) {
      LocalAgent.Install install = local.install(i % 2 == 0 ? p2 : p1,
          "--wait-tcp", "127.0.0.1:" + port);
      assertThat(install.result()).as("install %d: %s %s", i, install.stdout(), install.stderr())
          .isNotNull();
      assertThat(install.result().ok()).as("install %d: %s", i, install.stdout()).isTrue();
    }
    assertThat(get()).isEqualTo("v2");
    assertThat(local.status()).contains("\"restarts\":100");
  }

  private String get() {
    return new GoWorkspace.Client().get(port);
  }

  private void awaitAnswer(String expected) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!expected.equals(get())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never answered " + expected + "; last " + get());
      }
      Thread.sleep(10);
    }
  }
}
