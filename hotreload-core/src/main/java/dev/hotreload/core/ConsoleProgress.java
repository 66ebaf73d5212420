package dev.hotreload.core;

import dev.hotreload.Diagnostic;
import dev.hotreload.LogEvent;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.Destination;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a developer sees by default: one line per reload with what changed, each phase's time,
 * bytes and the outcome; compiler diagnostics as {@code file:line:col: message}; the
 * application's output prefixed with where it runs.
 *
 * <pre>
 * hotreload #2 main.go · build 512 ms · transfer 3 ms 4.1 MB · restart 14 ms · total 541 ms ✔
 * hotreload #3 main.go · build failed in 402 ms — the previous binary keeps running
 *   cmd/server/main.go:12:2: undefined: greetin
 * </pre>
 */
public final class ConsoleProgress extends ReloadListener {
  private final PrintStream out;
  private final boolean verbose;
  private final Path workspace;

  private ConsoleProgress(PrintStream out, boolean verbose, Path workspace) {
    this.out = out;
    this.verbose = verbose;
    this.workspace = workspace;
  }

  /**
   * Prints to standard output: each reload, progress (info) and problems; debug lines are left
   * out.
   *
   * @return the listener
   */
  public static ConsoleProgress toStdout() {
    return new ConsoleProgress(System.out, false, null);
  }

  /**
   * Prints to a stream.
   *
   * @param out the stream
   * @param verbose whether to print debug messages too
   * @return the listener
   */
  public static ConsoleProgress to(PrintStream out, boolean verbose) {
    return new ConsoleProgress(Objects.requireNonNull(out, "out"), verbose, null);
  }

  /**
   * The same listener, printing file names relative to a workspace.
   *
   * @param workspace the workspace
   * @return a new listener
   */
  public ConsoleProgress relativeTo(Path workspace) {
    return new ConsoleProgress(out, verbose, workspace.toAbsolutePath());
  }

  @Override
  public void reloadEnd(Reload reload, ReloadReport report) {
    out.println(summary(report) + " ✔");
  }

  @Override
  public void reloadFailed(Reload reload, ReloadReport report) {
    switch (report.outcome()) {
      case SUPERSEDED:
        if (verbose) {
          out.println(prefix(report) + " superseded by newer changes");
        }
        return;
      case CANCELLED:
        out.println(prefix(report) + " cancelled: session closing");
        return;
      default:
        break;
    }
    if (!report.diagnostics().isEmpty()) {
      out.println(prefix(report) + " · build failed in " + millis(report.duration(Phase.BUILD)
          .orElse(Duration.ZERO)) + " — the previous binary keeps running");
      for (Diagnostic d : report.diagnostics()) {
        out.println("  " + relative(d.file()) + ":" + d.line()
            + (d.column() > 0 ? ":" + d.column() : "") + ": " + d.message().replace("\n", "\n    "));
      }
      return;
    }
    out.println(summary(report) + " ✘");
    String failure = report.failure().orElse("");
    if (!failure.isEmpty()) {
      out.println("  " + failure.replace("\n", "\n  "));
    }
    for (ReloadReport.Delivery d : report.deliveries()) {
      // A failure with one failed destination is that destination's message: said once.
      if (!d.succeeded() && !failure.contains(d.message())) {
        out.println("  " + (d.message().startsWith(d.destination()) ? d.message()
            : d.destination() + ": " + d.message()));
      }
    }
  }

  @Override
  public void output(Destination destination, String line) {
    out.println("[" + destination.id() + "] " + line);
  }

  @Override
  public void log(LogEvent event) {
    if (verbose || event.level().compareTo(LogEvent.Level.INFO) >= 0) {
      out.println("hotreload " + event.level().name().toLowerCase(Locale.ROOT) + ": "
          + event.message());
    }
  }

  private String prefix(ReloadReport report) {
    Reload reload = report.reload();
    String what;
    switch (reload.trigger()) {
      case INITIAL:
        what = "initial build";
        break;
      case MANUAL:
        what = "manual reload";
        break;
      case TARGET_CHANGED:
        what = "new destination";
        break;
      case DATA_CHANGE:
        what = "kodata " + report.changedFiles().stream().limit(3)
            .map(p -> p.getFileName().toString()).collect(Collectors.joining(", "));
        break;
      default:
        List<Path> files = report.changedFiles();
        what = files.stream().limit(3).map(p -> p.getFileName().toString())
            .collect(Collectors.joining(", "))
            + (files.size() > 3 ? " +" + (files.size() - 3) + " more" : "");
    }
    return "hotreload " + reload.id() + " " + what;
  }

  private String summary(ReloadReport report) {
    StringBuilder line = new StringBuilder(prefix(report));
    report.duration(Phase.BUILD).ifPresent(d -> line.append(" · build ").append(millis(d)));
    report.duration(Phase.TRANSFER).ifPresent(d -> {
      line.append(" · transfer ").append(millis(d)).append(' ').append(bytes(report.bytesSent()));
      if (report.deliveries().size() > 1) {
        line.append(" to ").append(report.deliveries().size());
      }
    });
    report.duration(Phase.RESTART).ifPresent(d -> line.append(" · restart ").append(millis(d)));
    report.duration(Phase.READY).ifPresent(d -> line.append(" · ready ").append(millis(d)));
    line.append(" · total ").append(millis(report.total()));
    return line.toString();
  }

  private String relative(Path file) {
    if (workspace != null && file.isAbsolute() && file.startsWith(workspace)) {
      return workspace.relativize(file).toString();
    }
    return file.toString();
  }

  static String millis(Duration d) {
    return d.toMillis() + " ms";
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
  }
}
