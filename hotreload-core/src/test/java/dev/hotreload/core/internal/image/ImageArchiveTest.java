package dev.hotreload.core.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageArchiveTest {
  @TempDir Path dir;

  /** A docker-save archive written by hand, as `docker save` lays one out. */
  Path dockerSave(String architecture) throws IOException {
    Path config = Files.writeString(dir.resolve("config-" + architecture),
        "{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"config\":{\"Env\":"
            + "[\"PATH=/usr/bin\",\"A=b\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
    Path out = dir.resolve("save-" + architecture + ".tar");
    ImageArchive.writeDockerArchive(out, ImageArchive.Source.of(config), List.of());
    return out;
  }

  @Test
  void dockerSaveArchive_isReadWithItsPlatformAndEnv() throws Exception {
    try (ImageArchive archive = ImageArchive.open(dockerSave("arm64"))) {
      ImageArchive.Image image = archive.image(Platform.LINUX_ARM64);

      assertThat(archive.isOciLayout()).isFalse();
      assertThat(image.platform()).isEqualTo(Platform.LINUX_ARM64);
      assertThat(OciJson.env(image.config(), "PATH")).hasValue("/usr/bin");
      assertThat(image.layerEntries()).isEmpty();
      assertThat(image.manifest()).isEmpty();
    }
  }

  @Test
  void anArchiveWithoutThePlatform_saysWhichItHas() throws Exception {
    try (ImageArchive archive = ImageArchive.open(dockerSave("amd64"))) {
      assertThatThrownBy(() -> archive.image(Platform.LINUX_ARM64))
          .hasMessageEndingWith("has no image for linux/arm64; it has [linux/amd64]");
    }
  }

  @Test
  void aTarThatIsNoImage_isRefusedByName() throws Exception {
    Path stripped = dir.resolve("stripped.tar");
    try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
        Files.newOutputStream(stripped))) {
      var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("hello.txt");
      byte[] bytes = "hi".getBytes(StandardCharsets.UTF_8);
      entry.setSize(bytes.length);
      out.putArchiveEntry(entry);
      out.write(bytes);
      out.closeArchiveEntry();
    }

    assertThatThrownBy(() -> ImageArchive.open(stripped))
        .hasMessageContaining(stripped + " is not an image archive");
  }

  @Test
  void indexEntries_matchExactVariantFirst_thenCompatible() {
    OciJson.Descriptor v6 = new OciJson.Descriptor(OciJson.OCI_MANIFEST, "sha256:6", 1,
        Optional.of(Platform.parse("linux/arm/v6")));
    OciJson.Descriptor v7 = new OciJson.Descriptor(OciJson.OCI_MANIFEST, "sha256:7", 1,
        Optional.of(Platform.parse("linux/arm/v7")));
    OciJson.Descriptor plain = new OciJson.Descriptor(OciJson.OCI_MANIFEST, "sha256:a", 1,
        Optional.of(Platform.LINUX_ARM64));

    assertThat(OciJson.select(List.of(v6, v7), Platform.parse("linux/arm/v7"))).hasValue(v7);
    assertThat(OciJson.select(List.of(plain), Platform.parse("linux/arm64/v8"))).hasValue(plain);
    assertThat(OciJson.select(List.of(v6, v7), Platform.LINUX_AMD64)).isEmpty();
  }

  @Test
  void sourceDateEpoch_acceptsWholeSecondsOnly() {
    assertThat(SourceDateEpoch.parse(null)).isEmpty();
    assertThat(SourceDateEpoch.parse(" 1700000000 ")).hasValueSatisfying(
        t -> assertThat(t.getEpochSecond()).isEqualTo(1_700_000_000L));
    assertThatThrownBy(() -> SourceDateEpoch.parse("-1"))
        .hasMessageStartingWith("SOURCE_DATE_EPOCH '-1'");
    assertThatThrownBy(() -> SourceDateEpoch.parse("1.5"))
        .hasMessageStartingWith("SOURCE_DATE_EPOCH '1.5'");
  }

  @Test
  void loopbackRegistries_areThoseOnThisMachine() {
    assertThat(ImageName.parse("localhost:5000/a:b").loopback()).isTrue();
    assertThat(ImageName.parse("127.0.0.1:5000/a:b").loopback()).isTrue();
    assertThat(ImageName.parse("localhost/a").loopback()).isTrue();
    assertThat(ImageName.parse("localhost.example.com/a").loopback()).isFalse();
    assertThat(ImageName.parse("gcr.io/distroless/static").loopback()).isFalse();
    assertThat(ImageName.parse("127.0.0.1:5000/a/b:dev").pinned("sha256:00"))
        .isEqualTo("127.0.0.1:5000/a/b@sha256:00");
  }
}
