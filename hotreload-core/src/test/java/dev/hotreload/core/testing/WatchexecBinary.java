package dev.hotreload.core.testing;

import dev.hotreload.core.build.CacheDirectory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The watchexec that tests run on this machine: {@code HOTRELOAD_WATCHEXEC}, else where {@code
 * scripts/install-watchexec} puts it ({@code <hotreload cache>/tools/bin/watchexec}).
 */
public final class WatchexecBinary {
  /** The environment variable that points at a watchexec binary. */
  public static final String ENV = "HOTRELOAD_WATCHEXEC";

  private WatchexecBinary() {}

  /**
   * Finds watchexec, failing the test (never skipping it) when there is none: a missing tool must
   * not turn the watchexec tests green.
   *
   * @return an executable watchexec
   * @throws AssertionError naming scripts/install-watchexec, if there is none
   */
  public static Path require() {
    String explicit = System.getenv(ENV);
    if (explicit != null && !explicit.isBlank()) {
      Path path = Path.of(explicit);
      if (!Files.isExecutable(path)) {
        throw new AssertionError(
            ENV + "=" + explicit + " is not an executable file; unset it and run "
                + "scripts/install-watchexec, which builds watchexec from crates.io");
      }
      return path;
    }
    Path cached = CacheDirectory.resolve().resolve("tools/bin/watchexec");
    if (!Files.isExecutable(cached)) {
      install();
    }
    if (!Files.isExecutable(cached)) {
      throw new AssertionError(
          "watchexec is not installed at " + cached + ": run scripts/install-watchexec (it builds "
              + "watchexec-cli from crates.io into the hotreload cache; minutes the first time), "
              + "or set " + ENV + " to a watchexec binary");
    }
    return cached;
  }

  /**
   * Runs the repository's {@code scripts/install-watchexec} once, so that the README's test
   * command works on a fresh machine; its failure is reported by {@link #require()}.
   */
  private static synchronized void install() {
    java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath();
    for (java.nio.file.Path d = dir; d != null; d = d.getParent()) {
      java.nio.file.Path script = d.resolve("scripts/install-watchexec");
      if (Files.isRegularFile(script)) {
        try {
          Process process = new ProcessBuilder("bash", script.toString())
              .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
          process.waitFor(60, java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.io.IOException e) {
          // require() names the script to run by hand
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
    }
  }
}
