package dev.hotreload.core.watchexec;

import dev.hotreload.core.contract.ManifestTransformerContract;
import dev.hotreload.spi.ManifestTransformer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchexecManifestTransformerTest extends ManifestTransformerContract {
  @Override
  protected ManifestTransformer transformer() {
    return WatchexecManifestTransformer.create();
  }

  private static final Context CONTEXT =
      new Context("localhost:5000/hello:dev", List.of("/ko-app/hello"));
  private static final List<String> PREFIX = List.of(
      "/var/run/ko/watchexec", "--restart", "--shell=none", "--stop-timeout", "5s",
      "--debounce", "50ms", "--ignore", "**/.*.incoming", "--watch", "/ko-app", "--");

  private static ContainerSpec container(List<String> command, List<String> args) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PORT", "8080");
    env.put("LOG", "debug");
    return new ContainerSpec("app", "ko://example.com/hello", command, args, env,
        Optional.of("/srv"), List.of(new ContainerSpec.EmptyDirMount("scratch", "/tmp")));
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  @Test
  void commandAndArgs_moveBehindWatchexec_andArgsAreCleared() {
    ContainerSpec out = WatchexecManifestTransformer.create()
        .transform(container(List.of("/ko-app/hello"), List.of("--port", "8080")), CONTEXT);

    assertThat(out.command()).isEqualTo(concat(PREFIX, "/ko-app/hello", "--port", "8080"));
    assertThat(out.args()).isEmpty();
    assertThat(out.image()).isEqualTo("localhost:5000/hello:dev");
  }

  @Test
  void containerWithoutCommand_runsTheImageEntrypoint_withItsArgs() {
    ContainerSpec out = WatchexecManifestTransformer.create()
        .transform(container(List.of(), List.of("-v")), CONTEXT);

    assertThat(out.command()).isEqualTo(concat(PREFIX, "/ko-app/hello", "-v"));
    assertThat(out.args()).isEmpty();
  }

  @Test
  void everythingButCommandArgsAndImage_staysAsItWas() {
    ContainerSpec in = container(List.of("/ko-app/hello"), List.of());
    ContainerSpec out = WatchexecManifestTransformer.create().transform(in, CONTEXT);

    assertThat(out.name()).isEqualTo("app");
    assertThat(List.copyOf(out.env().keySet())).containsExactly("PORT", "LOG");
    assertThat(out.workingDir()).contains("/srv");
    assertThat(out.emptyDirMounts()).isEqualTo(in.emptyDirMounts());
  }

  @Test
  void transformingTwice_onlyReplacesTheImage() {
    WatchexecManifestTransformer transformer = WatchexecManifestTransformer.create();
    ContainerSpec once = transformer.transform(container(List.of("/ko-app/hello"), List.of()),
        CONTEXT);
    ContainerSpec twice = transformer.transform(once, new Context("registry/hello:v2", List.of()));

    assertThat(twice.command()).isEqualTo(once.command());
    assertThat(twice.image()).isEqualTo("registry/hello:v2");
  }

  @Test
  void builderSettings_appearInTheCommand() {
    WatchexecManifestTransformer transformer = WatchexecManifestTransformer.builder()
        .watchexecPath("/opt/watchexec").binaryDirectory("/app/bin")
        .stopTimeout(Duration.ofMillis(1500)).debounce(Duration.ofSeconds(1)).build();

    assertThat(transformer.transform(container(List.of("/app/bin/hello"), List.of()), CONTEXT)
        .command())
        .containsExactly("/opt/watchexec", "--restart", "--shell=none", "--stop-timeout",
            "1500ms", "--debounce", "1s", "--ignore", "**/.*.incoming", "--watch", "/app/bin",
            "--", "/app/bin/hello");
  }

  @Test
  void noCommandAndNoEntrypoint_isRefusedNamingTheContainerAndImage() {
    assertThatThrownBy(() -> WatchexecManifestTransformer.create()
        .transform(container(List.of(), List.of()), new Context("img:1", List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'app'").hasMessageContaining("'img:1'")
        .hasMessageContaining("no entrypoint");
  }

  @Test
  void relativePathsAndZeroDurations_areRefused() {
    assertThatThrownBy(() -> WatchexecManifestTransformer.builder().binaryDirectory("ko-app"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ko-app'");
    assertThatThrownBy(() -> WatchexecManifestTransformer.builder().watchexecPath("watchexec"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'watchexec'");
    assertThatThrownBy(() -> WatchexecManifestTransformer.builder().stopTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stopTimeout");
  }
}
