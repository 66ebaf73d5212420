package dev.hotreload.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.core.contract.ManifestTransformerContract;
import dev.hotreload.spi.ContainerSpec.EmptyDirMount;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer.Context;
import dev.hotreload.spi.ManifestTransformer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentManifestTransformerTest extends ManifestTransformerContract {
  @Override
  protected ManifestTransformer transformer() {
    return AgentManifestTransformer.DEFAULT;
  }

  private static final String BUILT = "localhost:5000/hello@sha256:" + "a".repeat(64);
  private static final Context KO_IMAGE = new Context(BUILT, List.of("/ko-app/hello"));
  private static final EmptyDirMount STATE = new EmptyDirMount("hotreload", "/var/run/hotreload");

  private static ContainerSpec container(List<String> command, List<String> args) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("B", "2");
    env.put("A", "1");
    return new ContainerSpec(
        "app",
        "ko://example.com/hello/cmd/hello",
        command,
        args,
        env,
        Optional.of("/work"),
        List.of());
  }

  @Test
  void commandAndArgs_followTheAgentAfterTheSeparator_andArgsAreCleared() {
    ContainerSpec out =
        AgentManifestTransformer.DEFAULT.transform(
            container(List.of("/ko-app/hello", "serve"), List.of("--port", "8080")), KO_IMAGE);

    assertThat(out.command())
        .containsExactly(
            "/ko-app/hotreload-agent", "run", "--dir", "/var/run/hotreload/app", "--",
            "/ko-app/hello", "serve", "--port", "8080");
    assertThat(out.args()).isEmpty();
  }

  @Test
  void withoutACommand_theImageEntrypointRunsUnderTheAgent_followedByTheArgs() {
    ContainerSpec out =
        AgentManifestTransformer.DEFAULT.transform(
            container(List.of(), List.of("--verbose")), KO_IMAGE);

    assertThat(out.command())
        .containsExactly(
            "/ko-app/hotreload-agent", "run", "--dir", "/var/run/hotreload/app", "--",
            "/ko-app/hello", "--verbose");
    assertThat(out.args()).isEmpty();
  }

  @Test
  void theImageBecomesTheBuiltImage_andEverythingElseStays() {
    ContainerSpec in = container(List.of("/ko-app/hello"), List.of());

    ContainerSpec out = AgentManifestTransformer.DEFAULT.transform(in, KO_IMAGE);

    assertThat(out.image()).isEqualTo(BUILT);
    assertThat(out.name()).isEqualTo("app");
    assertThat(out.env()).containsExactly(Map.entry("B", "2"), Map.entry("A", "1"));
    assertThat(out.workingDir()).contains("/work");
  }

  @Test
  void theAgentStateDirectoryIsMountedFromAnEmptyDir_besideExistingScratchVolumes() {
    EmptyDirMount cache = new EmptyDirMount("cache", "/cache");
    ContainerSpec in =
        new ContainerSpec(
            "app", "x", List.of("/app"), List.of(), Map.of(), Optional.empty(), List.of(cache));

    ContainerSpec out = AgentManifestTransformer.DEFAULT.transform(in, KO_IMAGE);

    assertThat(out.emptyDirMounts()).containsExactly(cache, STATE);
  }

  @Test
  void transformingATransformedContainer_changesNothing() {
    ContainerSpec once =
        AgentManifestTransformer.DEFAULT.transform(
            container(List.of(), List.of("--port", "8080")), KO_IMAGE);

    ContainerSpec twice = AgentManifestTransformer.DEFAULT.transform(once, KO_IMAGE);

    assertThat(twice).isEqualTo(once);
    assertThat(twice.emptyDirMounts()).containsExactly(STATE);
  }

  @Test
  void aTransformedContainer_onlyFollowsANewerBuiltImage() {
    ContainerSpec once =
        AgentManifestTransformer.DEFAULT.transform(container(List.of("/app"), List.of()), KO_IMAGE);
    Context newer = new Context("localhost:5000/hello:v2", List.of("/ko-app/hello"));

    ContainerSpec twice = AgentManifestTransformer.DEFAULT.transform(once, newer);

    assertThat(twice.image()).isEqualTo("localhost:5000/hello:v2");
    assertThat(twice.command()).isEqualTo(once.command());
    assertThat(twice.emptyDirMounts()).isEqualTo(once.emptyDirMounts());
  }

  @Test
  void stopSignalAndTimeout_arePassedToAgentRun_beforeTheSeparator() {
    AgentManifestTransformer transformer =
        AgentManifestTransformer.builder()
            .stopSignal("sigint")
            .stopTimeout(Duration.ofMillis(1500))
            .build();

    ContainerSpec out = transformer.transform(container(List.of("/app"), List.of()), KO_IMAGE);

    assertThat(out.command())
        .containsExactly(
            "/ko-app/hotreload-agent", "run", "--dir", "/var/run/hotreload/app",
            "--stop-signal", "INT", "--stop-timeout", "1500ms", "--", "/app");
  }

  @Test
  void stopTimeouts_areWrittenAsGoDurations() {
    assertThat(AgentManifestTransformer.goDuration(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(AgentManifestTransformer.goDuration(Duration.ZERO)).isEqualTo("0s");
    assertThat(AgentManifestTransformer.goDuration(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(AgentManifestTransformer.goDuration(Duration.ofNanos(1500))).isEqualTo("1500ns");
    assertThat(AgentManifestTransformer.goDuration(Duration.ofNanos(2000))).isEqualTo("2us");
  }

  @Test
  void signalNumbersAndNames_areAcceptedAsTheAgentAcceptsThem() {
    assertThat(AgentManifestTransformer.builder().stopSignal("15").build().stopSignal())
        .contains("15");
    assertThat(AgentManifestTransformer.builder().stopSignal("SIGUSR2").build().stopSignal())
        .contains("USR2");
    assertThat(AgentManifestTransformer.DEFAULT.stopSignal()).isEmpty();
  }

  @Test
  void anUnknownSignal_isRefusedWithTheValue() {
    assertThatThrownBy(() -> AgentManifestTransformer.builder().stopSignal("SIGBOGUS"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'SIGBOGUS'");
    assertThatThrownBy(() -> AgentManifestTransformer.builder().stopSignal("65"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNegativeStopTimeout_isRefused() {
    assertThatThrownBy(
            () -> AgentManifestTransformer.builder().stopTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stopTimeout");
  }

  @Test
  void neitherCommandNorEntrypoint_failsNamingTheContainer() {
    Context noEntrypoint = new Context(BUILT, List.of());

    assertThatThrownBy(
            () ->
                AgentManifestTransformer.DEFAULT.transform(
                    container(List.of(), List.of("--port", "8080")), noEntrypoint))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'app'")
        .hasMessageContaining("no entrypoint");
  }

  @Test
  void anotherVolumeAtTheStateDirectory_failsNamingTheContainerAndTheVolume() {
    ContainerSpec in =
        new ContainerSpec(
            "app",
            "x",
            List.of("/app"),
            List.of(),
            Map.of(),
            Optional.empty(),
            List.of(new EmptyDirMount("scratch", "/var/run/hotreload")));

    assertThatThrownBy(() -> AgentManifestTransformer.DEFAULT.transform(in, KO_IMAGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'app'")
        .hasMessageContaining("'scratch'");
  }
}
