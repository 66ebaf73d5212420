package dev.hotreload;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One compiler message with its position, as {@code go build} prints it.
 *
 * @param file the source file, absolute when it could be resolved
 * @param line 1-based line
 * @param column 1-based column, 0 when the compiler gave none
 * @param message the compiler's text
 */
public record Diagnostic(Path file, int line, int column, String message) {

  /** Checks the fields. */
  public Diagnostic {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  /**
   * The column, if the compiler gave one.
   *
   * @return the column
   */
  public Optional<Integer> columnIfKnown() {
    return column > 0 ? Optional.of(column) : Optional.empty();
  }

  /** Formats as {@code file:line:col: message}, the form editors and terminals link. */
  @Override
  public String toString() {
    return file + ":" + line + (column > 0 ? ":" + column : "") + ": " + message;
  }
}
