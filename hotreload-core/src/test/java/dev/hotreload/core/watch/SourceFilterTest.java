package dev.hotreload.core.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SourceFilterTest {
  private final Path pkg = Path.of("/w/cmd/server");
  private final SourceFilter filter = new SourceFilter(
      Set.of(pkg),
      Set.of(Path.of("/w/cmd/server/banner.txt"), Path.of("/w/cmd/server/static/index.html")),
      Set.of(Path.of("/w/cmd/server/static")),
      Set.of(Path.of("/w/go.mod"), Path.of("/w/go.sum")));

  @Test
  void acceptsGoSourcesEmbeddedFilesAndModuleFiles() {
    assertThat(filter).accepts(
        pkg.resolve("main.go"),
        pkg.resolve("banner.txt"),
        pkg.resolve("static/new.css"),
        Path.of("/w/go.mod"),
        Path.of("/w/go.sum"));
  }

  @Test
  void rejectsTestsEditorFilesHiddenFilesAndStrangers() {
    assertThat(filter).rejects(
        pkg.resolve("main_test.go"),
        pkg.resolve(".main.go.swp"),
        pkg.resolve("main.go~"),
        pkg.resolve("#main.go#"),
        pkg.resolve("4913"),
        pkg.resolve("main.go.12345"),
        pkg.resolve("README.md"),
        Path.of("/w/other/main.go"));
  }
}
