package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.BuildFailedException;
import dev.hotreload.Platform;
import dev.hotreload.core.contract.ArtifactBuilderContract;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.BuildRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoBuilderTest extends ArtifactBuilderContract {
  @TempDir Path dir;
  @TempDir Path cache;

  @Override
  protected ArtifactBuilder builder() {
    return GoBuilder.builder().cacheDirectory(cache).build();
  }

  @Override
  protected Path buildableWorkspace() throws Exception {
    return GoWorkspace.create(dir, "hi").root();
  }

  @Override
  protected void breakWorkspace(Path workspace) throws Exception {
    GoWorkspace.create(workspace, "x").breakBuild();
  }

  @Test
  void platformEnv_setsGoarmAndGoamd64FromTheVariant() {
    assertThat(GoBuilder.platformEnv(Platform.parse("linux/arm/v7")))
        .containsEntry("GOARM", "7").containsEntry("CGO_ENABLED", "0");
    assertThat(GoBuilder.platformEnv(Platform.parse("linux/amd64/v3")))
        .containsEntry("GOAMD64", "v3");
    assertThat(GoBuilder.platformEnv(Platform.parse("linux/arm64/v8")))
        .containsOnlyKeys("GOOS", "GOARCH", "CGO_ENABLED");
  }

  @Test
  void koYaml_ldflagsReachTheBinary() throws Exception {
    Path workspace = buildableWorkspace();
    Files.writeString(workspace.resolve("cmd/server/version.go"),
        "package main\n\nvar version = \"unset\"\n\nfunc init() { println(version) }\n");
    Files.writeString(workspace.resolve(".ko.yaml"),
        "builds:\n- id: server\n  main: ./cmd/server\n  ldflags: [\"-X main.version=from-ko-yaml\"]\n");

    Path binary = builder().build(new dev.hotreload.spi.BuildRequest(
        workspace, "./cmd/server", Platform.linuxHost())).path();

    assertThat(new String(Files.readAllBytes(binary), java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("from-ko-yaml");
  }

  @Test
  void debugInfo_isStrippedByDefault_andKeptOnRequest() throws Exception {
    Path workspace = buildableWorkspace();
    BuildRequest request = new BuildRequest(workspace, "./cmd/server", Platform.linuxHost());

    String stripped = latin1(builder().build(request).path());
    String debuggable = latin1(GoBuilder.builder().cacheDirectory(cache.resolve("debug"))
        .debugInfo(true).build().build(request).path());

    // Section names live in the ELF section-name table: DWARF is .debug_* (.zdebug_* once).
    assertThat(stripped).doesNotContain("debug_info").doesNotContain(".symtab");
    assertThat(debuggable).contains("debug_info").contains(".symtab");
  }

  private static String latin1(Path file) throws java.io.IOException {
    return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Test
  void goMissing_failsWithWhereItLooked() {
    GoBuilder builder = GoBuilder.builder().goBinary(dir.resolve("no-go-here")).build();

    assertThatThrownBy(() -> builder.check(new dev.hotreload.spi.BuildRequest(
            buildableWorkspace(), "./cmd/server", Platform.LINUX_AMD64)))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("no-go-here");
  }
}
