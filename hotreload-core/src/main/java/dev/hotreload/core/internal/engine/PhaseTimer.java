package dev.hotreload.core.internal.engine;

import dev.hotreload.HotReloadException;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.event.ReloadListener;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Consumer;

/**
 * Times the phases of one reload and emits each phase's start and its end or failure, so that
 * every start gets exactly one end or failed call and every timed phase lands in the report.
 * The one place the engine writes phase timing (Jib's {@code TimerEventDispatcher} is the model).
 */
final class PhaseTimer {
  private final ListenerDispatcher listeners;
  private final ReloadListener listener;
  private final Reload reload;
  private final InstantSource clock;
  private final ReportBuilder report;

  PhaseTimer(ListenerDispatcher listeners, ReloadListener listener, Reload reload,
      InstantSource clock, ReportBuilder report) {
    this.listeners = listeners;
    this.listener = listener;
    this.reload = reload;
    this.clock = clock;
    this.report = report;
  }

  /** Emits one event to this reload's listener. */
  void emit(Consumer<ReloadListener> event) {
    listeners.emit(listener, event);
  }

  Instant now() {
    return clock.instant();
  }

  /**
   * Starts a phase.
   *
   * @param phase the phase
   * @param startEvent the phase's start callback
   * @return the running lap
   */
  Lap start(Phase phase, Consumer<ReloadListener> startEvent) {
    emit(startEvent);
    return new Lap(phase, clock.instant());
  }

  /** One phase in progress. */
  final class Lap {
    private final Phase phase;
    private final Instant started;

    private Lap(Phase phase, Instant started) {
      this.phase = phase;
      this.started = started;
    }

    Instant started() {
      return started;
    }

    /** Records the time since the start without emitting anything (the end comes later). */
    void record() {
      report.phase(phase, Duration.between(started, clock.instant()));
    }

    /** Records a duration measured another way, replacing the lap's own. */
    void record(Duration measured) {
      report.phase(phase, measured);
    }

    /** Records the time since the start and emits the end callback. */
    void end(Consumer<ReloadListener> endEvent) {
      record();
      emit(endEvent);
    }

    /** Emits the end callback; the duration was recorded already. */
    void ended(Consumer<ReloadListener> endEvent) {
      emit(endEvent);
    }

    /** Records the time since the start and emits the phase's failure. */
    ReloadFailure fail(HotReloadException e) {
      record();
      return failedWithout(e, ReloadFailure.failed(e));
    }

    /** Emits the phase's failure without recording a duration: the phase was cut short. */
    ReloadFailure cut(HotReloadException e, ReloadFailure failure) {
      return failedWithout(e, failure);
    }

    private ReloadFailure failedWithout(HotReloadException e, ReloadFailure failure) {
      emit(l -> failed(l, phase, reload, e));
      return failure;
    }
  }

  /** The failure callback of a phase; there is one per phase that has a start. */
  static void failed(ReloadListener l, Phase phase, Reload reload, HotReloadException e) {
    switch (phase) {
      case BUILD -> l.buildFailed(reload, e);
      case TRANSFER -> l.transferFailed(reload, e);
      case RESTART -> l.restartFailed(reload, e);
      case READY -> l.readyFailed(reload, e);
      case CHANGE_DETECTED -> throw new IllegalArgumentException("CHANGE_DETECTED has no start");
      default -> throw new IllegalArgumentException("Unknown phase " + phase);
    }
  }
}
