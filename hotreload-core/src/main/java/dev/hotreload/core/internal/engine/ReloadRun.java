package dev.hotreload.core.internal.engine;

import dev.hotreload.Artifact;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.ReloadReport;
import dev.hotreload.spi.Destination;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One reload in progress: what it was started for, which phase it is in, and whether newer
 * changes superseded it or the session cancelled it. Its phase and flags are guarded by its
 * monitor: the coordinator sets the flags while the worker runs the steps.
 */
final class ReloadRun {
  final Reload reload;
  /** When the first of its changes was seen; null when it was not started by changes. */
  final Instant detectedSince;
  /** Set for a target-only reload, which skips the build and delivers this. */
  final Artifact artifact;
  /** Set when only these destinations get the binary (new ones); null means all. */
  final List<Destination> only;
  final List<CompletableFuture<ReloadReport>> waiters;
  /** Where its artifact stands among the session's builds: the reload that built it. */
  final long generation;
  /** How each destination's delivery ended; set by the worker before {@link #done}. */
  volatile List<Deliveries.Result> results = List.of();
  final CompletableFuture<Finished> done = new CompletableFuture<>();
  private Thread thread;
  private Phase phase = Phase.CHANGE_DETECTED;
  private boolean superseded;
  private boolean cancelled;

  ReloadRun(Reload reload, Instant detectedSince, Artifact artifact, long generation,
      List<Destination> only, List<CompletableFuture<ReloadReport>> waiters) {
    this.reload = reload;
    this.generation = generation;
    this.detectedSince = detectedSince;
    this.artifact = artifact;
    this.only = only;
    this.waiters = waiters;
  }

  synchronized void started(Thread worker) {
    thread = worker;
    if (cancelled || superseded) {
      worker.interrupt();
    }
  }

  /** Moves to the next phase unless the run was stopped. */
  synchronized boolean enter(Phase next) {
    if (cancelled || superseded) {
      return false;
    }
    phase = next;
    return true;
  }

  /** Newer changes make a build pointless; a delivery in flight is allowed to finish. */
  synchronized void supersedeIfBuilding() {
    if (artifact == null && (phase == Phase.BUILD || phase == Phase.CHANGE_DETECTED)
        && !cancelled) {
      superseded = true;
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  synchronized void cancel() {
    cancelled = true;
    if (thread != null) {
      thread.interrupt();
    }
  }

  synchronized boolean stopped() {
    return cancelled || superseded;
  }

  synchronized Outcome stopOutcome() {
    return cancelled ? Outcome.CANCELLED : Outcome.SUPERSEDED;
  }
}
