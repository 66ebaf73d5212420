package dev.hotreload.core.build;

import dev.hotreload.Diagnostic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code file:line:col: message} lines out of {@code go build}'s output. */
public final class GoDiagnostics {
  private static final Pattern POSITION =
      Pattern.compile("^(?:\\./)?([^\\s:][^:]*\\.go):(\\d+)(?::(\\d+))?: (.+)$");

  private GoDiagnostics() {}

  /**
   * Parses compiler output. Indented continuation lines (type errors span several) are appended
   * to the message before them; other lines (package headers) are skipped.
   *
   * @param output what {@code go build} printed on stderr
   * @param directory the directory it ran in, to resolve relative file names
   * @return the diagnostics, in order
   */
  public static List<Diagnostic> parse(String output, Path directory) {
    List<Diagnostic> diagnostics = new ArrayList<>();
    for (String line : output.split("\\R")) {
      Matcher m = POSITION.matcher(line);
      if (m.matches()) {
        Path file = Path.of(m.group(1));
        diagnostics.add(
            new Diagnostic(
                file.isAbsolute() ? file : directory.resolve(file).normalize(),
                Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                m.group(4)));
      } else if (line.startsWith("\t") && !diagnostics.isEmpty()) {
        Diagnostic last = diagnostics.remove(diagnostics.size() - 1);
        diagnostics.add(
            new Diagnostic(
                last.file(), last.line(), last.column(), last.message() + "\n" + line.strip()));
      }
    }
    return diagnostics;
  }
}
