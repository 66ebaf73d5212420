package dev.hotreload.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.ImageReadBack.Entry;
import dev.hotreload.core.image.ImageReadBack.Image;
import dev.hotreload.core.testing.GoWorkspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds images into tars and reads them back without the builder's code. */
class ImageBuilderTest {
  static final Platform ARM64 = Platform.LINUX_ARM64;
  static final Platform AMD64 = Platform.LINUX_AMD64;
  static final Instant TIME = Instant.ofEpochSecond(1_700_000_000);

  @TempDir Path dir;
  @TempDir Path cache;
  Path workspace;

  @BeforeEach
  void workspace() throws Exception {
    workspace = Files.createDirectories(dir.resolve("ws"));
    GoWorkspace.create(workspace, "hi");
  }

  /** A stand-in for a Go binary: the image does not care what the bytes are. */
  Artifact binary(Platform platform, String content) throws Exception {
    Path file = Files.createDirectories(dir.resolve("bin").resolve(platform.architecture()))
        .resolve("out");
    Files.writeString(file, "ELF " + platform + " " + content);
    return new Artifact(file, GoBuilder.sha256(file), Files.size(file), platform,
        GoWorkspace.MODULE + "/cmd/server");
  }

  Path file(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    return file;
  }

  ImageBuilder builder() {
    return ImageBuilder.forWorkspace(workspace).cacheDirectory(cache).creationTime(TIME);
  }

  void kodata() throws Exception {
    Path kodata = Files.createDirectories(workspace.resolve("kodata/static"));
    Files.writeString(kodata.resolve("app.js"), "console.log('hi')");
    Files.writeString(workspace.resolve("kodata/index.html"), "<h1>hi</h1>");
    Path tool = workspace.resolve("kodata/tool");
    Files.writeString(tool, "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void scratchToTar_laysOutBinaryKodataAndConfigAsKoDoes() throws Exception {
    kodata();
    Path tar = dir.resolve("image.tar");

    BuiltImage built = builder().binary(binary(ARM64, "v1")).toTar(tar, "hello:dev").build();

    Image image = ImageReadBack.of(tar).onlyImage();
    assertThat(built.digest()).isEqualTo(image.manifestDigest());
    assertThat(built.reference()).isEqualTo("hello:dev");
    assertThat(built.entrypoint()).containsExactly("/ko-app/server");
    assertThat(image.layers()).hasSize(2);

    Entry server = image.file("ko-app/server");
    assertThat(server.mode()).isEqualTo(0755);
    assertThat(new String(server.content(), StandardCharsets.UTF_8)).isEqualTo("ELF linux/arm64 v1");
    assertThat(image.layers().get(1).entries()).containsOnlyKeys("ko-app", "ko-app/server");

    assertThat(image.layers().get(0).entries()).containsOnlyKeys("var", "var/run", "var/run/ko",
        "var/run/ko/index.html", "var/run/ko/static", "var/run/ko/static/app.js",
        "var/run/ko/tool");
    assertThat(image.file("var/run/ko/index.html").content()).asString(StandardCharsets.UTF_8)
        .isEqualTo("<h1>hi</h1>");
    assertThat(image.file("var/run/ko/index.html").mode()).isEqualTo(0644);
    assertThat(image.file("var/run/ko/tool").mode()).isEqualTo(0755);
    assertThat(image.file("var/run/ko/static").directory()).isTrue();
    assertThat(image.layers()).flatMap(l -> l.entries().values())
        .allSatisfy(e -> assertThat(e.modified()).isEqualTo(TIME));

    assertThat(image.entrypoint()).containsExactly("/ko-app/server");
    assertThat(image.env()).containsExactly(
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/ko-app",
        "KO_DATA_PATH=/var/run/ko");
    assertThat(image.config().path("os").asText()).isEqualTo("linux");
    assertThat(image.config().path("architecture").asText()).isEqualTo("arm64");
    assertThat(image.config().path("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(image.manifest().path("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
  }

  @Test
  void noKodataDirectory_leavesOutItsLayerAndKoDataPath() throws Exception {
    Path tar = dir.resolve("image.tar");

    builder().binary(binary(AMD64, "v1")).toTar(tar, "hello:dev").build();

    Image image = ImageReadBack.of(tar).onlyImage();
    assertThat(image.layers()).hasSize(1);
    assertThat(image.env()).noneMatch(e -> e.startsWith("KO_DATA_PATH="));
    assertThat(image.config().path("architecture").asText()).isEqualTo("amd64");
  }

  @Test
  void kodataInTheMainPackage_winsOverTheWorkspaces_asKoLooksThere() throws Exception {
    kodata();
    Path own = Files.createDirectories(workspace.resolve("cmd/server/kodata"));
    Files.writeString(own.resolve("own.txt"), "mine");
    Path tar = dir.resolve("image.tar");

    builder().binary(binary(AMD64, "v1")).toTar(tar, "hello:dev").build();

    assertThat(ImageReadBack.of(tar).onlyImage().layers().get(0).entries())
        .containsOnlyKeys("var", "var/run", "var/run/ko", "var/run/ko/own.txt");
  }

  @Test
  void supervisor_isItsOwnLayer_thatARebuiltBinaryLeavesAlone() throws Exception {
    Path agent = file("agent", "agent for arm64");
    ImageBuilder builder = builder()
        .supervisor(agent, "/ko-app/hotreload-agent")
        .entrypoint(List.of("/ko-app/hotreload-agent", "run", "--", "/ko-app/server"))
        .env("GODEBUG", "madvdontneed=1")
        .label("org.opencontainers.image.source", "https://example.com/hello")
        .user("65532")
        .binary(binary(ARM64, "v1"));
    Path first = dir.resolve("first.tar");
    Path second = dir.resolve("second.tar");

    BuiltImage one = builder.toTar(first, "hello:dev").build();
    BuiltImage two = builder.binary(binary(ARM64, "v2")).toTar(second, "hello:dev").build();

    Image a = ImageReadBack.of(first).onlyImage();
    Image b = ImageReadBack.of(second).onlyImage();
    assertThat(one.digest()).isNotEqualTo(two.digest());
    assertThat(a.layers()).hasSize(2);
    assertThat(a.layers().get(0).entries()).containsOnlyKeys("ko-app", "ko-app/hotreload-agent");
    assertThat(a.file("ko-app/hotreload-agent").mode()).isEqualTo(0755);
    assertThat(b.layers().get(0).digest()).isEqualTo(a.layers().get(0).digest());
    assertThat(b.layers().get(1).digest()).isNotEqualTo(a.layers().get(1).digest());
    assertThat(b.file("ko-app/server").content()).asString(StandardCharsets.UTF_8).endsWith("v2");

    assertThat(b.entrypoint())
        .containsExactly("/ko-app/hotreload-agent", "run", "--", "/ko-app/server");
    assertThat(two.entrypoint()).isEqualTo(b.entrypoint());
    assertThat(b.env()).contains("GODEBUG=madvdontneed=1");
    assertThat(b.config().path("config").path("User").asText()).isEqualTo("65532");
    assertThat(b.config().path("config").path("Labels")
        .path("org.opencontainers.image.source").asText()).isEqualTo("https://example.com/hello");
  }

  @Test
  void sameInputsTwice_giveTheSameDigest_evenWithFreshCachesAndNewFileTimes() throws Exception {
    kodata();
    Path agent = file("agent", "agent");
    Path first = dir.resolve("first.tar");
    Path second = dir.resolve("second.tar");

    BuiltImage one = builder().binary(binary(AMD64, "same")).supervisor(agent, "/hr/agent")
        .toTar(first, "hello:dev").build();
    Files.setLastModifiedTime(workspace.resolve("kodata/index.html"),
        java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(60)));
    BuiltImage two = ImageBuilder.forWorkspace(workspace)
        .cacheDirectory(Files.createDirectories(dir.resolve("other-cache")))
        .creationTime(TIME)
        .binary(binary(AMD64, "same")).supervisor(file("agent", "agent"), "/hr/agent")
        .toTar(second, "hello:dev").build();

    assertThat(two.digest()).isEqualTo(one.digest());
    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
  }

  @Test
  void sourceDateEpoch_datesTheImageAndItsFiles() throws Exception {
    Path tar = dir.resolve("image.tar");

    ImageBuilder.forWorkspace(workspace).cacheDirectory(cache)
        .environment(Map.of("SOURCE_DATE_EPOCH", "1600000000"))
        .binary(binary(AMD64, "v1")).toTar(tar, "hello:dev").build();

    Image image = ImageReadBack.of(tar).onlyImage();
    assertThat(image.config().path("created").asText()).isEqualTo("2020-09-13T12:26:40Z");
    assertThat(image.file("ko-app/server").modified()).isEqualTo(Instant.ofEpochSecond(1600000000));
    assertThat(image.file("ko-app").modified()).isEqualTo(Instant.ofEpochSecond(1600000000));
  }

  @Test
  void withoutSourceDateEpoch_theImageIsDatedTheEpoch() throws Exception {
    Path tar = dir.resolve("image.tar");

    ImageBuilder.forWorkspace(workspace).cacheDirectory(cache).environment(Map.of())
        .binary(binary(AMD64, "v1")).toTar(tar, "hello:dev").build();

    assertThat(ImageReadBack.of(tar).onlyImage().config().path("created").asText())
        .isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void localBaseTar_itsLayersComeFirst_andItsPathAndEnvCarryOver() throws Exception {
    Path baseTar = dir.resolve("base.tar");
    Artifact tool = new Artifact(file("tool", "base tool"), GoBuilder.sha256(dir.resolve("tool")),
        9, AMD64, "example.com/base/cmd/tool");
    ImageBuilder.forWorkspace(workspace).cacheDirectory(cache).creationTime(TIME)
        .binary(tool).env("PATH", "/usr/bin:/bin").env("BASE", "yes").user("1000")
        .toTar(baseTar, "base:1").build();
    Path tar = dir.resolve("image.tar");

    builder().base(baseTar).binary(binary(AMD64, "app")).toTar(tar, "hello:dev").build();

    Image base = ImageReadBack.of(baseTar).onlyImage();
    Image image = ImageReadBack.of(tar).onlyImage();
    assertThat(image.layers()).hasSize(2);
    assertThat(image.layers().get(0).digest()).isEqualTo(base.layers().get(0).digest());
    assertThat(image.layers().get(0).entries()).containsKey("ko-app/tool");
    assertThat(image.layers().get(1).entries()).containsKey("ko-app/server");
    assertThat(image.env()).contains("PATH=/usr/bin:/bin:/ko-app", "BASE=yes");
    assertThat(image.entrypoint()).containsExactly("/ko-app/server");
    assertThat(image.config().path("config").path("User").asText()).isEqualTo("1000");
  }

  @Test
  void multiPlatformBaseTar_givesEachPlatformItsOwnBaseLayer() throws Exception {
    Path baseTar = dir.resolve("base.tar");
    Path amdTool = file("amd/tool", "amd64 tool");
    Path armTool = file("arm/tool", "arm64 tool");
    ImageBuilder.forWorkspace(workspace).cacheDirectory(cache).creationTime(TIME)
        .binary(new Artifact(amdTool, GoBuilder.sha256(amdTool), 10, AMD64, "x.io/tool"))
        .binary(new Artifact(armTool, GoBuilder.sha256(armTool), 10, ARM64, "x.io/tool"))
        .toTar(baseTar, "base:multi").build();
    Path tar = dir.resolve("image.tar");

    builder().base(baseTar).binary(binary(ARM64, "app")).toTar(tar, "hello:dev").build();

    Image image = ImageReadBack.of(tar).onlyImage();
    assertThat(image.file("ko-app/tool").content()).asString(StandardCharsets.UTF_8)
        .isEqualTo("arm64 tool");
    assertThat(image.config().path("architecture").asText()).isEqualTo("arm64");
  }

  @Test
  void baseTarWithoutThePlatform_failsNamingWhatItHas() throws Exception {
    Path baseTar = dir.resolve("base.tar");
    builder().binary(binary(AMD64, "base")).toTar(baseTar, "base:1").build();

    assertThatThrownBy(() -> builder().base(baseTar).binary(binary(ARM64, "app"))
        .toTar(dir.resolve("image.tar"), "hello:dev").build())
        .hasMessageContaining("no image for linux/arm64")
        .hasMessageContaining("linux/amd64");
  }

  @Test
  void severalPlatformsToTar_writeAnIndexWithEachPlatformsOwnBinaryAndSupervisor()
      throws Exception {
    Path tar = dir.resolve("image.tar");
    Path amdAgent = file("agent-amd64", "agent amd64");
    Path armAgent = file("agent-arm64", "agent arm64");

    BuiltImage built = builder()
        .binary(binary(AMD64, "v1")).binary(binary(ARM64, "v1"))
        .supervisor(AMD64, amdAgent, "/ko-app/hotreload-agent")
        .supervisor(ARM64, armAgent, "/ko-app/hotreload-agent")
        .toTar(tar, "hello:dev").build();

    ImageReadBack read = ImageReadBack.of(tar);
    var layoutEntry = read.layoutIndex().path("manifests").get(0);
    assertThat(layoutEntry.path("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(layoutEntry.path("digest").asText()).isEqualTo(built.digest());
    assertThat(layoutEntry.path("annotations").path("org.opencontainers.image.ref.name").asText())
        .isEqualTo("hello:dev");
    assertThat(built.platforms()).containsExactly(AMD64, ARM64);
    List<Image> images = read.images();
    assertThat(images).extracting(Image::listedPlatform)
        .containsExactly(Optional.of(AMD64), Optional.of(ARM64));
    for (Image image : images) {
      String arch = image.listedPlatform().orElseThrow().architecture();
      assertThat(image.config().path("architecture").asText()).isEqualTo(arch);
      assertThat(image.file("ko-app/server").content()).asString(StandardCharsets.UTF_8)
          .isEqualTo("ELF linux/" + arch + " v1");
      assertThat(image.file("ko-app/hotreload-agent").content()).asString(StandardCharsets.UTF_8)
          .isEqualTo("agent " + arch);
    }
  }

  @Test
  void build_reportsEveryProblemAtOnce() throws Exception {
    ImageBuilder builder = ImageBuilder.forWorkspace(workspace)
        .environment(Map.of("SOURCE_DATE_EPOCH", "yesterday"))
        .binary(binary(AMD64, "v1")).binary(binary(ARM64, "v1"))
        .supervisor(AMD64, file("agent", "a"), "ko-app/agent")
        .supervisor(Platform.parse("linux/s390x"), file("agent", "a"), "ko-app/agent")
        .env("A=B", "c")
        .base("Not A Reference")
        .toDockerDaemon("hello:dev");

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("supervisor containerPath 'ko-app/agent'")
        .hasMessageContaining("supervisor has no file for linux/arm64")
        .hasMessageContaining("supervisor file for linux/s390x but no binary for linux/s390x")
        .hasMessageContaining("env name 'A=B'")
        .hasMessageContaining("'Not A Reference' is not an image reference")
        .hasMessageContaining("SOURCE_DATE_EPOCH 'yesterday'")
        .hasMessageContaining("toDockerDaemon takes one platform");
  }

  @Test
  void build_withoutBinaryOrDestination_saysWhatIsMissing() {
    assertThatThrownBy(() -> ImageBuilder.forWorkspace(workspace).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no binary")
        .hasMessageContaining("no destination");
  }
}
