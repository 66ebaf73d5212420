package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KoConfigTest {
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

  @Test
  void load_withoutAFile_isEmpty() throws IOException {
    Path workspace = Files.createDirectories(fs.getPath("/w"));

    assertThat(KoConfig.load(workspace)).isEqualTo(KoConfig.EMPTY);
  }

  @Test
  void load_readsBuildsAndBaseImages_andMatchesTheMainPackage() throws IOException {
    Path workspace = Files.createDirectories(fs.getPath("/w"));
    Files.writeString(workspace.resolve(".ko.yaml"), """
        defaultBaseImage: localhost:5000/base:1
        baseImageOverrides:
          example.com/app/cmd/tool: localhost:5000/tool-base:2
        builds:
        - id: server
          main: ./cmd/server
          env: [GOEXPERIMENT=loopvar]
          flags: [-tags, netgo]
          ldflags: ["-s", "-w", "-X main.version={{.Env.VERSION}}"]
        """);

    KoConfig config = KoConfig.load(workspace);

    assertThat(config.buildFor(workspace, fs.getPath("/w/cmd/server"))).hasValueSatisfying(b -> {
      assertThat(b.id()).isEqualTo("server");
      assertThat(b.env()).containsExactly("GOEXPERIMENT=loopvar");
      assertThat(b.flags()).containsExactly("-tags", "netgo");
      assertThat(b.ldflags()).containsExactly("-s", "-w", "-X main.version={{.Env.VERSION}}");
    });
    assertThat(config.buildFor(workspace, fs.getPath("/w/cmd/other"))).isEmpty();
    assertThat(config.baseImageFor("example.com/app/cmd/tool")).contains("localhost:5000/tool-base:2");
    assertThat(config.baseImageFor("example.com/app/cmd/server")).contains("localhost:5000/base:1");
  }

  @Test
  void load_ofANonMapping_namesTheFile() throws IOException {
    Path workspace = Files.createDirectories(fs.getPath("/w"));
    Files.writeString(workspace.resolve(".ko.yaml"), "- just\n- a list\n");

    assertThatThrownBy(() -> KoConfig.load(workspace))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/w/.ko.yaml");
  }

  @Test
  void defaults_applyToBuildsThatSetNone_andTheEnvironmentOverridesPlatformsAndBase()
      throws IOException {
    Path workspace = Files.createDirectories(fs.getPath("/w"));
    Files.writeString(workspace.resolve(".ko.yaml"), """
        defaultBaseImage: localhost:5000/base:1
        defaultPlatforms: [linux/arm64, linux/amd64]
        defaultEnv: [FOO=foo]
        defaultFlags: [-v]
        defaultLdflags: [-s]
        builds:
        - id: foo
          main: ./foo
          env: [FOO=bar]
          flags: [-trimpath]
          ldflags: [-w]
        - id: bar
          dir: ./bar
        """);

    KoConfig config = KoConfig.load(workspace, Map.of());
    KoConfig.Settings foo = config.settingsFor(workspace, fs.getPath("/w/foo"));
    KoConfig.Settings bar = config.settingsFor(workspace, fs.getPath("/w/bar"));
    KoConfig overridden = KoConfig.load(workspace,
        Map.of("KO_DEFAULTPLATFORMS", "linux/s390x, linux/amd64", "KO_DEFAULTBASEIMAGE", "b:2"));

    assertThat(foo.env()).containsExactly("FOO=bar");
    assertThat(foo.flags()).containsExactly("-trimpath");
    assertThat(foo.ldflags()).containsExactly("-w");
    assertThat(bar.env()).containsExactly("FOO=foo");
    assertThat(bar.flags()).containsExactly("-v");
    assertThat(bar.ldflags()).containsExactly("-s");
    assertThat(bar.dir()).isEqualTo(fs.getPath("/w/./bar"));
    assertThat(config.defaultPlatforms()).containsExactly("linux/arm64", "linux/amd64");
    assertThat(overridden.defaultPlatforms()).containsExactly("linux/s390x", "linux/amd64");
    assertThat(overridden.baseImageFor("x")).contains("b:2");
  }

  @Test
  void koConfigPath_namesAFileOrADirectory_andAMissingOneIsAnError() throws IOException {
    Path workspace = Files.createDirectories(fs.getPath("/w"));
    Path elsewhere = Files.createDirectories(fs.getPath("/cfg"));
    Files.writeString(elsewhere.resolve(".ko.yaml"), "defaultBaseImage: from-dir\n");
    Files.writeString(elsewhere.resolve("ko-dev.yaml"), "defaultBaseImage: from-file\n");
    Files.writeString(workspace.resolve(".ko.yaml"), "defaultBaseImage: ignored\n");

    assertThat(KoConfig.load(workspace, Map.of("KO_CONFIG_PATH", "/cfg")).defaultBaseImage())
        .contains("from-dir");
    assertThat(KoConfig.load(workspace, Map.of("KO_CONFIG_PATH", "/cfg/ko-dev.yaml"))
        .defaultBaseImage()).contains("from-file");
    assertThatThrownBy(() -> KoConfig.load(workspace, Map.of("KO_CONFIG_PATH", "/nope")))
        .isInstanceOf(IOException.class).hasMessageContaining("KO_CONFIG_PATH=/nope");
  }
}
