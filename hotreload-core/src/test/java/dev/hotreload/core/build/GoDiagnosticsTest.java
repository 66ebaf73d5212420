package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Diagnostic;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoDiagnosticsTest {
  private final Path workspace = Path.of("/src/hello");

  @Test
  void parse_readsFileLineColumnAndMessage_relativeToTheBuildDirectory() {
    String stderr = """
        # example.com/hello/cmd/server
        cmd/server/main.go:12:2: undefined: greetin
        ./util.go:7: missing return
        """;

    List<Diagnostic> diagnostics = GoDiagnostics.parse(stderr, workspace);

    assertThat(diagnostics).containsExactly(
        new Diagnostic(Path.of("/src/hello/cmd/server/main.go"), 12, 2, "undefined: greetin"),
        new Diagnostic(Path.of("/src/hello/util.go"), 7, 0, "missing return"));
  }

  @Test
  void parse_appendsIndentedContinuationLines() {
    String stderr = """
        main.go:5:9: cannot use x (variable of type int) as string value in return statement
        \thave int
        \twant string
        """;

    List<Diagnostic> diagnostics = GoDiagnostics.parse(stderr, workspace);

    assertThat(diagnostics).singleElement().extracting(Diagnostic::message)
        .isEqualTo("cannot use x (variable of type int) as string value in return statement\n"
            + "have int\nwant string");
  }

  @Test
  void parse_keepsAbsolutePaths_andIgnoresOtherLines() {
    String stderr = "go: downloading example.com/x v1.0.0\n/abs/pkg/a.go:1:1: expected 'package'\n";

    assertThat(GoDiagnostics.parse(stderr, workspace)).containsExactly(
        new Diagnostic(Path.of("/abs/pkg/a.go"), 1, 1, "expected 'package'"));
  }
}
