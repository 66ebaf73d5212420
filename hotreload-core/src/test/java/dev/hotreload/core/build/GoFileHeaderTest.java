package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoFileHeaderTest {

  @Test
  void readsConstraintsPackageImportsAndEmbeds() {
    GoFileHeader header = GoFileHeader.of("""
        // Copyright notice.

        //go:build linux && !race
        // +build linux,!race

        /* a block comment */
        package server // trailing

        import "fmt"
        import (
        \tstdhttp "net/http" // aliased
        \t_ "embed"
        \t. `strings`; "os"
        )

        //go:embed static/*
        var static string

        func main() { fmt.Println(stdhttp.StatusOK) }
        """);
    assertThat(header.constraints()).containsExactly("//go:build linux && !race",
        "// +build linux,!race");
    assertThat(header.packageName()).isEqualTo("server");
    assertThat(header.imports()).containsExactly("fmt", "stdhttp net/http", "_ embed",
        ". strings", "os");
    assertThat(header.embeds()).containsExactly("//go:embed static/*");
  }

  @Test
  void codeEditsKeepTheHeader_importEditsChangeIt() {
    String before = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(1) }\n";
    String body = before.replace("Println(1)", "Println(2)\n\tfmt.Println(3)");
    String imports = before.replace("import \"fmt\"", "import (\n\t\"fmt\"\n\t\"os\"\n)");
    assertThat(GoFileHeader.of(body)).isEqualTo(GoFileHeader.of(before));
    assertThat(GoFileHeader.of(imports)).isNotEqualTo(GoFileHeader.of(before));
    assertThat(GoFileHeader.of(before.replace("package main", "package other")))
        .isNotEqualTo(GoFileHeader.of(before));
  }

  @Test
  void anUnreadableFile_neverMatchesAnotherVersion() {
    GoFileHeader broken = GoFileHeader.of("packag main\n");
    assertThat(broken.packageName()).isEqualTo("?");
    assertThat(GoFileHeader.of("packag main\n// edit\n")).isNotEqualTo(broken);
  }
}
