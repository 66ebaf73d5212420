package dev.hotreload.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.ImageSpec.Kind;
import dev.hotreload.core.testing.GoWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings as a value: checked once, equal for equal settings, back to a builder. */
class ImageSpecTest {
  static final Platform ARM64 = Platform.LINUX_ARM64;
  static final Platform AMD64 = Platform.LINUX_AMD64;

  @TempDir Path dir;
  Path workspace;
  final List<LogEvent> events = new ArrayList<>();
  final Consumer<LogEvent> logger = events::add;

  @BeforeEach
  void workspace() throws Exception {
    workspace = Files.createDirectories(dir.resolve("ws"));
    GoWorkspace.create(workspace, "hi");
  }

  Artifact binary(Platform platform) throws Exception {
    Path file = Files.createDirectories(dir.resolve("bin").resolve(platform.architecture()))
        .resolve("out");
    Files.writeString(file, "ELF " + platform);
    return new Artifact(file, GoBuilder.sha256(file), Files.size(file), platform,
        GoWorkspace.MODULE + "/cmd/server");
  }

  Path file(String name) throws Exception {
    return Files.writeString(dir.resolve(name), name);
  }

  /** Sets everything a fluent call can set. */
  ImageBuilder everything() throws Exception {
    return ImageBuilder.forWorkspace(workspace)
        .environment(Map.of("SOURCE_DATE_EPOCH", "1600000000"))
        .base(file("base.tar"))
        .binary(binary(AMD64)).binary(binary(ARM64))
        .supervisor(file("agent"), "/ko-app/hotreload-agent")
        .supervisor(ARM64, file("agent-arm64"), "/ko-app/hotreload-agent")
        .kodata(Files.createDirectories(dir.resolve("kodata")))
        .env("Z", "last-sorted").env("A", "first-sorted")
        .label("org.opencontainers.image.source", "https://example.com/hello")
        .user("65532")
        .entrypoint(List.of("/ko-app/hotreload-agent", "run", "--", "/ko-app/server"))
        .cacheDirectory(dir.resolve("cache"))
        .logger(logger)
        .toTar(dir.resolve("image.tar"), "hello:dev");
  }

  @Test
  void theSameSettingsTwice_giveEqualSpecs_withEverySettingInThem() throws Exception {
    ImageBuilder builder = everything();

    ImageSpec one = builder.spec();
    ImageSpec two = builder.spec();

    assertThat(two).isEqualTo(one).hasSameHashCodeAs(one);
    assertThat(one.baseArchive()).hasValue(dir.resolve("base.tar"));
    assertThat(one.baseReference()).isEmpty();
    assertThat(one.binaries()).extracting(Artifact::platform).containsExactly(AMD64, ARM64);
    assertThat(one.supervisorFile()).hasValue(dir.resolve("agent"));
    assertThat(one.supervisorFiles()).containsExactly(Map.entry(ARM64, dir.resolve("agent-arm64")));
    assertThat(one.env().keySet()).containsExactly("Z", "A");
    assertThat(one.creationTime()).isEqualTo(Instant.ofEpochSecond(1_600_000_000));
    assertThat(one.logger()).isSameAs(logger);
    assertThat(one.destination().kind()).isEqualTo(Kind.TAR);
    assertThat(one.destination().tar()).hasValue(dir.resolve("image.tar"));
  }

  @Test
  void aSpec_isNotChangedByLaterCallsOnItsBuilder() throws Exception {
    ImageBuilder builder = everything();
    ImageSpec before = builder.spec();

    builder.env("LATER", "1").user("0").toRegistry("localhost:5000/hello:dev");

    assertThat(builder.spec()).isNotEqualTo(before);
    assertThat(before.env()).doesNotContainKey("LATER");
    assertThat(before.user()).hasValue("65532");
    assertThatThrownBy(() -> before.env().put("X", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilder_roundTrips_andDerivesAChangedCopy() throws Exception {
    ImageSpec spec = everything().spec();
    ImageSpec minimal = ImageBuilder.forWorkspace(workspace).base("scratch")
        .binary(binary(AMD64)).creationTime(Instant.ofEpochSecond(5, 700))
        .toDockerDaemon("hello:dev").spec();

    assertThat(spec.toBuilder().spec()).isEqualTo(spec);
    assertThat(minimal.toBuilder().spec()).isEqualTo(minimal);
    assertThat(minimal.creationTime()).isEqualTo(Instant.ofEpochSecond(5));
    assertThat(minimal.entrypoint()).isEmpty();

    ImageSpec changed = spec.toBuilder().user("0").spec();
    assertThat(changed.user()).hasValue("0");
    assertThat(changed.toBuilder().user("65532").spec()).isEqualTo(spec);
  }

  @Test
  void anInvalidCombination_reportsEveryProblemInOneException() throws Exception {
    ImageBuilder builder = ImageBuilder.forWorkspace(workspace)
        .base(dir.resolve("missing.tar"))
        .binary(binary(AMD64))
        .supervisor(binary(AMD64).path(), "/ko-app/server")
        .kodata(dir.resolve("no-kodata"))
        .label(" ", "blank")
        .user(" ")
        .entrypoint(List.of())
        .creationTime(Instant.EPOCH)
        .toTar(dir.resolve("no-such-dir/image.tar"), "hello@sha256:" + "0".repeat(64));

    assertThatThrownBy(builder::spec)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid image configuration: ")
        .hasMessageContaining("base archive " + dir.resolve("missing.tar") + " is not a file")
        .hasMessageContaining("supervisor containerPath '/ko-app/server' is where the binary goes")
        .hasMessageContaining("kodata " + dir.resolve("no-kodata") + " is not a directory")
        .hasMessageContaining("label name ' ' must not be blank")
        .hasMessageContaining("user ' ' is blank")
        .hasMessageContaining("entrypoint [] has no command")
        .hasMessageContaining("has a digest but no tag")
        .hasMessageContaining("tar " + dir.resolve("no-such-dir/image.tar")
            + " is in no existing directory");
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSpecsOwnChecks_catchWhatOnlyADirectConstructionCouldGetWrong() {
    assertThatThrownBy(() -> new ImageSpec.Destination(Kind.REGISTRY, "a:b",
        Optional.of(dir.resolve("x.tar"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImageSpec.Destination(Kind.TAR, "a:b", Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
