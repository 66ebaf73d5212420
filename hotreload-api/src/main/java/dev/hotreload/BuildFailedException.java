package dev.hotreload;

import java.util.List;

/** The binary could not be built: a compile error, a missing toolchain, a bad main package. */
public class BuildFailedException extends HotReloadException {
  private static final long serialVersionUID = 1L;

  private final List<Diagnostic> diagnostics;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do
   * @param platform the platform built for, or null
   * @param spiClass the builder class, or null
   * @param diagnostics compiler messages with positions; may be empty
   * @param cause the underlying error, or null
   */
  public BuildFailedException(
      String message,
      Platform platform,
      Class<?> spiClass,
      List<Diagnostic> diagnostics,
      Throwable cause) {
    super(message, Phase.BUILD, null, platform, spiClass, cause);
    this.diagnostics = List.copyOf(diagnostics);
  }

  /**
   * The compiler's messages with file, line and column.
   *
   * @return the diagnostics, possibly empty
   */
  public List<Diagnostic> getDiagnostics() {
    return diagnostics;
  }
}
