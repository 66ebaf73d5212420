package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real projects' {@code .ko.yaml} files (src/test/resources/ko-yaml-corpus) read as ko would. */
class KoConfigCorpusTest {
  @TempDir Path workspace;

  private KoConfig load(String name) throws IOException, URISyntaxException {
    Path file = Path.of(getClass().getResource("/ko-yaml-corpus/" + name).toURI());
    Files.copy(file, workspace.resolve(".ko.yaml"));
    return KoConfig.load(workspace, Map.of());
  }

  @Test
  void everyFileOfTheCorpus_isRead() throws Exception {
    Path corpus = Path.of(getClass().getResource("/ko-yaml-corpus").toURI());
    List<Path> files;
    try (Stream<Path> list = Files.list(corpus)) {
      files = list.filter(p -> p.toString().endsWith(".ko.yaml")).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(6);
    for (Path file : files) {
      Path copy = Files.createDirectories(workspace.resolve(file.getFileName().toString()));
      Files.copy(file, copy.resolve(".ko.yaml"));
      assertThat(KoConfig.load(copy, Map.of())).as(file.getFileName().toString()).isNotNull();
    }
  }

  @Test
  void dynatrace_defaultPlatformsAndABuildWhoseLdflagsUseTheEnvironment() throws Exception {
    KoConfig config = load("dynatrace-configuration-as-code.ko.yaml");
    KoConfig.Settings release = config.settingsFor(workspace, workspace.resolve("cmd/monaco"));
    KoTemplates templates = new KoTemplates(Map.of("VERSION", "2.9.1"), workspace,
        Instant.EPOCH, name -> "");

    assertThat(config.defaultPlatforms()).containsExactly("linux/arm64", "linux/amd64");
    assertThat(config.baseImageFor("anything")).contains("alpine:3.23.3");
    assertThat(release.flags()).containsExactly("-a", "-tags", "netgo");
    assertThat(templates.expand(release.ldflags())).contains(
        "-X github.com/dynatrace/dynatrace-configuration-as-code/v2/pkg/version"
            + ".MonitoringAsCode=2.9.1");
  }

  @Test
  void nvsentinel_buildsWithDirAndMain_fieldsKoDoesNotDefineAreIgnored() throws Exception {
    KoConfig config = load("nvsentinel.ko.yaml");

    assertThat(config.builds()).hasSize(8);
    KoConfig.Settings monitor = config.settingsFor(workspace,
        workspace.resolve("health-monitors/csp-health-monitor/cmd/csp-health-monitor"));
    assertThat(monitor.dir()).isEqualTo(workspace.resolve("health-monitors/csp-health-monitor"));
    assertThat(config.settingsFor(workspace,
        workspace.resolve("health-monitors/syslog-health-monitor")).env())
        .containsExactly("CGO_ENABLED=1");
    assertThat(config.defaultPlatforms()).as("'platforms' is not a ko field").isEmpty();
    assertThat(monitor.ldflags()).as("top-level 'ldflags' is not a ko field").isEmpty();
  }

  @Test
  void smallFiles_baseImageOrPlatformsOnly() throws Exception {
    assertThat(load("karpenter-provider-azure.ko.yaml").baseImageFor("x"))
        .contains("mcr.microsoft.com/cbl-mariner/distroless/minimal:2.0-nonroot");
    Files.delete(workspace.resolve(".ko.yaml"));
    assertThat(load("sample-ko-monorepo.ko.yaml").defaultPlatforms())
        .containsExactly("linux/amd64", "linux/arm64");
  }

  @Test
  void mtg_aBuildOfTheWorkspaceItself() throws Exception {
    KoConfig.Settings mtg = load("mtg.ko.yaml").settingsFor(workspace, workspace);

    assertThat(mtg.flags()).containsExactly("-trimpath", "-mod=readonly");
    assertThat(mtg.ldflags()).contains("-extldflags \"-static\"");
  }
}
