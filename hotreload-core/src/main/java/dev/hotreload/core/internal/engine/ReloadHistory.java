package dev.hotreload.core.internal.engine;

import dev.hotreload.ReloadReport;
import dev.hotreload.SessionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Every finished reload's report, in order, and waiting for the next one. Thread-safe. */
final class ReloadHistory {
  private final List<ReloadReport> reports = new ArrayList<>();
  private final Supplier<SessionState> state;

  ReloadHistory(Supplier<SessionState> state) {
    this.state = state;
  }

  synchronized void add(ReloadReport report) {
    reports.add(report);
    notifyAll();
  }

  /** Wakes whoever waits, so that they see the session has ended. */
  synchronized void wakeAll() {
    notifyAll();
  }

  synchronized long lastSequence() {
    return reports.isEmpty() ? 0 : reports.get(reports.size() - 1).reload().sequence();
  }

  synchronized List<ReloadReport> all() {
    return List.copyOf(reports);
  }

  synchronized ReloadReport awaitAfter(long sequence, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (ReloadReport report : reports) {
        if (report.reload().sequence() > sequence) {
          return report;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || state.get().isTerminal()) {
        throw new TimeoutException("No reload after #" + sequence + " finished within "
            + timeout.toMillis() + " ms (state " + state.get() + ")");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
