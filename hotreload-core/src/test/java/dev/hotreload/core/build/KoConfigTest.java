package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
