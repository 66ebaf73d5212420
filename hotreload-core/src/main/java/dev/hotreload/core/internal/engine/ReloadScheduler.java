package dev.hotreload.core.internal.engine;

import dev.hotreload.Artifact;
import dev.hotreload.ChangeSet;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.ReloadReport;
import dev.hotreload.SessionState;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.build.KoDataDirectory;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TargetHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Decides when a reload starts: changes coalesce for the debounce window, newer changes
 * supersede a build in progress (latest wins), reloads run one at a time, and new destinations
 * get the current binary. Every method runs on the session's single coordinator thread, which
 * confines all of this state; the reloads themselves run on worker threads.
 *
 * <p>Ordering guarantee: reloads run strictly one after another, and a build that newer changes
 * arrived during is never delivered, so an older binary never follows a newer one.
 *
 * <p>Convergence: the desired state is the newest build that no destination refused to run. A
 * destination that appeared meanwhile gets it even when the next build fails; one whose
 * delivery failed for a transient reason is tried again with backoff for as long as it is live.
 */
final class ReloadScheduler {
  private final EngineConfig config;
  private final SessionStatus status;
  private final ReloadPipeline pipeline;
  private final ScheduledExecutorService coordinator;
  private final ExecutorService workers;
  private final InstantSource clock;
  private final UnaryOperator<Runnable> guarded;
  private final Supplier<TargetHandle> handle;
  /** Failed attempts per destination id since its last successful delivery. */
  private final Map<String, Integer> attempts = new HashMap<>();

  private ChangeSet pending = ChangeSet.EMPTY;
  private Instant pendingSince;
  private ScheduledFuture<?> debounceTask;
  private final List<CompletableFuture<ReloadReport>> manualWaiters = new ArrayList<>();
  private final List<Destination> newDestinations = new ArrayList<>();
  private ReloadRun running;
  private long sequence;
  private Artifact current;
  private long currentGeneration;

  ReloadScheduler(EngineConfig config, SessionStatus status, ReloadPipeline pipeline,
      ScheduledExecutorService coordinator, ExecutorService workers,
      UnaryOperator<Runnable> guarded, Supplier<TargetHandle> handle) {
    this.config = config;
    this.status = status;
    this.pipeline = pipeline;
    this.coordinator = coordinator;
    this.workers = workers;
    this.clock = config.clock();
    this.guarded = guarded;
    this.handle = handle;
  }

  void initialReload() {
    start(Reload.Trigger.INITIAL, ChangeSet.EMPTY, null, null, 0, null, new ArrayList<>());
  }

  void changes(ChangeSet changes, Runnable afterDebounce) {
    if (status.closing()) {
      return;
    }
    if (pendingSince == null) {
      pendingSince = clock.instant();
    }
    pending = pending.merge(changes);
    if (running != null) {
      running.supersedeIfBuilding();
    }
    if (debounceTask != null) {
      debounceTask.cancel(false);
    }
    debounceTask = coordinator.schedule(afterDebounce, config.debounce().toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** The debounce window closed: start what is pending. */
  void debounced() {
    debounceTask = null;
    maybeStart();
  }

  void destinationsAdded(List<Destination> added) {
    newDestinations.addAll(added);
    maybeStart();
  }

  void reloadNow(CompletableFuture<ReloadReport> waiter) {
    manualWaiters.add(waiter);
    maybeStart();
  }

  /** Stops the debounce timer and cancels the reload in progress; returns that reload. */
  ReloadRun stop() {
    if (debounceTask != null) {
      debounceTask.cancel(false);
    }
    if (running != null) {
      running.cancel();
    }
    return running;
  }

  /** Waiters that never got a reload; for the session to settle once the coordinator is gone. */
  List<CompletableFuture<ReloadReport>> abandonedWaiters() {
    return manualWaiters;
  }

  private void maybeStart() {
    if (running != null || status.closing() || debounceTask != null) {
      return;
    }
    if (!pending.isEmpty() || !manualWaiters.isEmpty()) {
      Reload.Trigger trigger = pending.isEmpty() ? Reload.Trigger.MANUAL
          : onlyData(pending) ? Reload.Trigger.DATA_CHANGE : Reload.Trigger.FILE_CHANGE;
      List<CompletableFuture<ReloadReport>> waiters = new ArrayList<>(manualWaiters);
      manualWaiters.clear();
      ChangeSet changes = pending;
      Instant since = pendingSince;
      pending = ChangeSet.EMPTY;
      pendingSince = null;
      // A full reload reaches every destination of the target, new ones included; they stay
      // listed until it has delivered, so that a failed build leaves them due for the current.
      start(trigger, changes, since, null, 0, null, waiters);
    } else if (!newDestinations.isEmpty() && current != null) {
      List<Destination> only = List.copyOf(newDestinations);
      newDestinations.clear();
      start(Reload.Trigger.TARGET_CHANGED, ChangeSet.EMPTY, clock.instant(), current,
          currentGeneration, only, new ArrayList<>());
    }
  }

  /** Whether every changed file is under the main package's kodata/: nothing to build. */
  private boolean onlyData(ChangeSet changes) {
    Optional<Path> kodata =
        KoDataDirectory.of(config.workspace().toAbsolutePath(), config.mainPackage());
    return kodata.isPresent() && !changes.isEmpty()
        && changes.paths().stream().allMatch(p -> p.toAbsolutePath().startsWith(kodata.get()));
  }

  private void start(Reload.Trigger trigger, ChangeSet changes, Instant since,
      Artifact artifact, long generation, List<Destination> only,
      List<CompletableFuture<ReloadReport>> waiters) {
    Reload reload = new Reload(++sequence, trigger, changes, config.name());
    // A build's generation is the reload that made it; a redelivery keeps its build's.
    ReloadRun run = new ReloadRun(reload, since, artifact,
        artifact == null ? reload.sequence() : generation, only, waiters);
    running = run;
    if (status.state == SessionState.WATCHING) {
      status.state = SessionState.RELOADING;
    }
    try {
      workers.execute(() -> {
        Finished finished = pipeline.execute(run);
        run.done.complete(finished);
        try {
          coordinator.execute(guarded.apply(() -> finished(run, finished)));
        } catch (RejectedExecutionException e) {
          // closing: close() settles the waiters
        }
      });
    } catch (RejectedExecutionException e) {
      running = null;
      throw e;
    }
  }

  private void finished(ReloadRun run, Finished finished) {
    running = null;
    ReloadReport report = finished.report();
    if (report.outcome() == Outcome.SUPERSEDED) {
      // Its changes still need building: they go first, before whatever arrived since.
      pending = run.reload.changes().merge(pending);
      manualWaiters.addAll(0, run.waiters);
    } else {
      if (!status.closing()) {
        status.state = SessionState.WATCHING; // before anyone waiting on this reload wakes up
      }
      run.waiters.forEach(w -> w.complete(report));
      // A first delivery that failed only for connection reasons is being retried: the
      // session is ready once a retry got through, or a failure was final.
      if (!onlyTransientFailures(run, finished)) {
        status.initial.complete(finished);
      }
    }
    converge(run, report);
    if (!status.closing() && status.initial.isDone()) {
      status.state = SessionState.WATCHING;
    }
    maybeStart();
  }

  private static boolean onlyTransientFailures(ReloadRun run, Finished finished) {
    return finished.failure() instanceof TransferFailedException
        && run.results.stream().anyMatch(Deliveries.Result::transientFailure)
        && run.results.stream().allMatch(r -> r.succeeded() || r.transientFailure());
  }

  /** Moves the desired state forward and queues what did not get it yet. */
  private void converge(ReloadRun run, ReloadReport report) {
    boolean refused = run.results.stream()
        .anyMatch(r -> !r.succeeded() && !(r.failure() instanceof TransferFailedException));
    boolean built = report.artifact().isPresent() && report.outcome() != Outcome.SUPERSEDED
        && report.outcome() != Outcome.CANCELLED;
    // A build that runs on one destination is good, whatever the others said: one refusing it
    // may be a pod deleted right after its bytes, and its peers' retries must get this build.
    boolean ranSomewhere = run.results.stream().anyMatch(Deliveries.Result::succeeded);
    if (built && (ranSomewhere || !refused) && run.generation >= currentGeneration) {
      current = report.artifact().get();
      currentGeneration = run.generation;
    }
    for (Deliveries.Result result : run.results) {
      Destination destination = result.destination();
      newDestinations.removeIf(d -> d.id().equals(destination.id()));
      if (result.succeeded()) {
        attempts.remove(destination.id());
      } else if (result.transientFailure()) {
        retryLater(destination);
      }
    }
  }

  private void retryLater(Destination destination) {
    int attempt = attempts.merge(destination.id(), 1, Integer::sum);
    long delayMillis = Math.min(10_000, 250L << Math.min(attempt - 1, 6));
    coordinator.schedule(guarded.apply(() -> {
      boolean live = handle.get() != null && handle.get().destinations().stream()
          .anyMatch(d -> d.id().equals(destination.id()));
      if (live && !status.closing()
          && newDestinations.stream().noneMatch(d -> d.id().equals(destination.id()))) {
        newDestinations.add(destination);
        maybeStart();
      }
    }), delayMillis, TimeUnit.MILLISECONDS);
  }
}
