package dev.hotreload.core.internal.engine;

import dev.hotreload.HotReloadException;
import dev.hotreload.ReloadReport.Outcome;

/**
 * Ends a reload early from inside a step: the step has already told the listeners about its
 * phase; the pipeline turns this into the report's outcome.
 */
final class ReloadFailure extends Exception {
  private final transient HotReloadException cause;
  private final Outcome outcome;

  ReloadFailure(HotReloadException cause, Outcome outcome) {
    super(cause.getMessage(), cause, false, false);
    this.cause = cause;
    this.outcome = outcome;
  }

  static ReloadFailure failed(HotReloadException cause) {
    return new ReloadFailure(cause, Outcome.FAILED);
  }

  HotReloadException exception() {
    return cause;
  }

  Outcome outcome() {
    return outcome;
  }
}
