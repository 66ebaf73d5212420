package dev.hotreload.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.ImageReadBack.Image;
import dev.hotreload.core.image.ImageReadBack.Layer;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.LocalRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Pushes to a real registry on the loopback and pulls what it stored back over HTTP. */
class ImageRegistryTest {
  static final Platform ARM64 = Platform.LINUX_ARM64;
  static final Platform AMD64 = Platform.LINUX_AMD64;
  static final Instant TIME = Instant.ofEpochSecond(1_700_000_000);

  @RegisterExtension static final LocalRegistry REGISTRY = LocalRegistry.perClass();

  @TempDir Path dir;
  @TempDir Path cache;
  Path workspace;

  @BeforeEach
  void workspace() throws Exception {
    workspace = Files.createDirectories(dir.resolve("ws"));
    GoWorkspace.create(workspace, "hi");
  }

  Artifact binary(Platform platform, String content) throws Exception {
    return artifact(platform, content, GoWorkspace.MODULE + "/cmd/server");
  }

  Artifact artifact(Platform platform, String content, String importPath) throws Exception {
    Path file = Files.createDirectories(dir.resolve("bin").resolve(importPath.replace('/', '_'))
        .resolve(platform.architecture())).resolve("out");
    Files.writeString(file, "ELF " + platform + " " + content);
    return new Artifact(file, GoBuilder.sha256(file), Files.size(file), platform, importPath);
  }

  ImageBuilder builder() {
    return ImageBuilder.forWorkspace(workspace).cacheDirectory(cache).creationTime(TIME);
  }

  /** Pulls an image the way a runtime does: manifest by digest, then config and layers. */
  static Image pull(LocalRegistry registry, String repository, String digest) throws Exception {
    HttpResponse<byte[]> response = registry.manifest(repository, digest);
    JsonNode manifest = LocalRegistry.json(response.body());
    JsonNode config = LocalRegistry.json(
        registry.blob(repository, manifest.path("config").path("digest").asText()));
    List<Layer> layers = new ArrayList<>();
    for (JsonNode l : manifest.path("layers")) {
      String layerDigest = l.path("digest").asText();
      layers.add(Layer.parse(layerDigest, registry.blob(repository, layerDigest)));
    }
    return new Image(java.util.Optional.empty(), digest, manifest, config, layers);
  }

  @Test
  void onePlatform_isPushedUnderTheTag_andReferencedByDigest() throws Exception {
    BuiltImage built = builder().binary(binary(ARM64, "v1"))
        .toRegistry(REGISTRY.reference("hello:dev")).build();

    HttpResponse<byte[]> byTag = REGISTRY.manifest("hello", "dev");
    assertThat(byTag.headers().firstValue("Content-Type"))
        .hasValue("application/vnd.oci.image.manifest.v1+json");
    assertThat(byTag.headers().firstValue("Docker-Content-Digest")).hasValue(built.digest());
    assertThat(ImageReadBack.sha256(byTag.body())).isEqualTo(built.digest());
    assertThat(built.reference()).isEqualTo(REGISTRY.address() + "/hello@" + built.digest());

    Image image = pull(REGISTRY, "hello", built.digest());
    assertThat(image.config().path("architecture").asText()).isEqualTo("arm64");
    assertThat(image.config().path("os").asText()).isEqualTo("linux");
    assertThat(image.entrypoint()).containsExactly("/ko-app/server");
    assertThat(image.env()).contains(
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/ko-app");
    assertThat(image.file("ko-app/server").mode()).isEqualTo(0755);
    assertThat(image.file("ko-app/server").content()).asString(StandardCharsets.UTF_8)
        .isEqualTo("ELF linux/arm64 v1");
  }

  @Test
  void severalPlatforms_putAnIndexListingEach_underTheTag() throws Exception {
    Path amdAgent = Files.writeString(dir.resolve("agent-amd64"), "agent amd64");
    Path armAgent = Files.writeString(dir.resolve("agent-arm64"), "agent arm64");

    BuiltImage built = builder()
        .binary(binary(AMD64, "v1")).binary(binary(ARM64, "v1"))
        .supervisor(AMD64, amdAgent, "/ko-app/hotreload-agent")
        .supervisor(ARM64, armAgent, "/ko-app/hotreload-agent")
        .entrypoint(List.of("/ko-app/hotreload-agent", "run", "--", "/ko-app/server"))
        .toRegistry(REGISTRY.reference("multi:dev")).build();

    HttpResponse<byte[]> byTag = REGISTRY.manifest("multi", "dev");
    assertThat(byTag.headers().firstValue("Content-Type"))
        .hasValue("application/vnd.oci.image.index.v1+json");
    assertThat(ImageReadBack.sha256(byTag.body())).isEqualTo(built.digest());
    JsonNode index = LocalRegistry.json(byTag.body());
    assertThat(index.path("manifests")).hasSize(2);
    List<Platform> listed = new ArrayList<>();
    for (JsonNode entry : index.path("manifests")) {
      Platform platform = ImageReadBack.listedPlatform(entry).orElseThrow();
      listed.add(platform);
      String digest = entry.path("digest").asText();
      HttpResponse<byte[]> manifest = REGISTRY.manifest("multi", digest);
      assertThat((long) manifest.body().length).isEqualTo(entry.path("size").asLong());
      assertThat(entry.path("mediaType").asText())
          .isEqualTo("application/vnd.oci.image.manifest.v1+json");
      Image image = pull(REGISTRY, "multi", digest);
      assertThat(image.config().path("architecture").asText()).isEqualTo(platform.architecture());
      assertThat(image.file("ko-app/server").content()).asString(StandardCharsets.UTF_8)
          .isEqualTo("ELF " + platform + " v1");
      assertThat(image.file("ko-app/hotreload-agent").content()).asString(StandardCharsets.UTF_8)
          .isEqualTo("agent " + platform.architecture());
      assertThat(image.entrypoint())
          .containsExactly("/ko-app/hotreload-agent", "run", "--", "/ko-app/server");
    }
    assertThat(listed).containsExactly(AMD64, ARM64);
  }

  @Test
  void sameInputsTwice_pushTheSameDigest() throws Exception {
    BuiltImage one = builder().binary(binary(AMD64, "same"))
        .toRegistry(REGISTRY.reference("repro:a")).build();
    BuiltImage two = builder().binary(binary(AMD64, "same"))
        .toRegistry(REGISTRY.reference("repro:b")).build();

    assertThat(two.digest()).isEqualTo(one.digest());
    assertThat(REGISTRY.manifest("repro", "b").headers().firstValue("Docker-Content-Digest"))
        .hasValue(one.digest());
  }

  @Test
  void koYamlBase_comesFromTheRegistry_andOnlyTheFirstBuildAsksForIt_orNoneWhenPinned()
      throws Exception {
    LocalRegistry baseRegistry = LocalRegistry.start();
    try {
      String baseRef = baseRegistry.reference("base:1");
      BuiltImage base = ImageBuilder.forWorkspace(workspace).cacheDirectory(cache)
          .creationTime(TIME)
          .binary(artifact(AMD64, "tool", "example.com/base/cmd/tool"))
          .binary(artifact(ARM64, "tool", "example.com/base/cmd/tool"))
          .env("PATH", "/usr/bin:/bin")
          .toRegistry(baseRef).build();
      Files.writeString(workspace.resolve(".ko.yaml"), "defaultBaseImage: " + baseRef + "\n");
      ImageBuilder builder = builder().binary(binary(ARM64, "v1"))
          .toRegistry(REGISTRY.reference("onbase:dev"));

      BuiltImage first = builder.build();
      // From here on the base registry is gone: a request to it would fail the build.
      baseRegistry.close();
      BuiltImage second = builder.binary(binary(ARM64, "v2")).build();
      BuiltImage fromAnotherBuilder = builder().base(base.reference())
          .binary(binary(ARM64, "v2")).toRegistry(REGISTRY.reference("onbase:other")).build();

      assertThat(base.platforms()).containsExactly(AMD64, ARM64);
      Image a = pull(REGISTRY, "onbase", first.digest());
      Image b = pull(REGISTRY, "onbase", second.digest());
      assertThat(a.layers()).hasSize(2);
      assertThat(a.file("ko-app/tool").content()).asString(StandardCharsets.UTF_8)
          .isEqualTo("ELF linux/arm64 tool");
      assertThat(a.env()).contains("PATH=/usr/bin:/bin:/ko-app");
      assertThat(b.layers().get(0).digest()).isEqualTo(a.layers().get(0).digest());
      assertThat(b.file("ko-app/server").content()).asString(StandardCharsets.UTF_8)
          .endsWith("v2");
      assertThat(base.reference()).contains("/base@sha256:");
      assertThat(fromAnotherBuilder.digest()).isEqualTo(second.digest());
    } finally {
      baseRegistry.close();
    }
  }

  @Test
  void aBaseRegistryThatIsNotThere_failsNamingTheBase() throws Exception {
    int port = GoWorkspace.freePort();

    assertThatThrownBy(() -> builder().base("127.0.0.1:" + port + "/base:1")
        .binary(binary(AMD64, "v1")).toTar(dir.resolve("image.tar"), "hello:dev").build())
        .isInstanceOf(java.io.IOException.class)
        .hasMessageStartingWith("Base image 127.0.0.1:" + port + "/base:1: Nothing answers");
  }

  @Test
  void aRegistryThatIsNotThere_failsSayingSo() throws Exception {
    int port = GoWorkspace.freePort();

    assertThatThrownBy(() -> builder().binary(binary(AMD64, "v1"))
        .toRegistry("127.0.0.1:" + port + "/hello:dev").build())
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("127.0.0.1:" + port + "/hello:dev")
        .hasMessageContaining("is the registry running?");
  }
}
