package dev.hotreload.core.internal;

import dev.hotreload.Artifact;
import dev.hotreload.BuildFailedException;
import dev.hotreload.ChangeSet;
import dev.hotreload.HotReloadException;
import dev.hotreload.LogEvent;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadCanceledException;
import dev.hotreload.ReloadReport;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.RestartFailedException;
import dev.hotreload.Session;
import dev.hotreload.SessionState;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.HotReloadSpec;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.ReadinessCheck;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import dev.hotreload.spi.WatchRequest;
import dev.hotreload.spi.Watcher;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The session engine. One coordinator thread owns the scheduling state (pending changes, the
 * debounce timer, the running reload) and starts reloads one at a time; each reload runs on a
 * worker thread so that the coordinator can supersede a build the moment newer changes arrive.
 *
 * <p>Ordering guarantee: reloads run strictly one after another, and a build that newer changes
 * arrived during is never delivered, so an older binary never follows a newer one.
 */
public final class ReloadEngine implements Session {
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private final HotReloadSpec spec;
  private final ArtifactBuilder builder;
  private final Watcher watcher;
  private final Transport transport;
  private final ReadinessCheck readiness;
  private final InstantSource clock;
  private final ListenerDispatcher listeners;
  private final ScheduledExecutorService coordinator;
  private final ExecutorService workers;
  private final boolean ownsWorkers;

  // Confined to the coordinator thread.
  private ChangeSet pending = ChangeSet.EMPTY;
  private Instant pendingSince;
  private ScheduledFuture<?> debounceTask;
  private final List<CompletableFuture<ReloadReport>> manualWaiters = new ArrayList<>();
  private final List<Destination> newDestinations = new ArrayList<>();
  private Running running;
  private long sequence;
  private Artifact current;
  private TargetHandle handle;

  private volatile Closeable watch;
  private volatile SessionState state = SessionState.STARTING;
  private volatile Throwable failure;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<ReloadReport> history = new ArrayList<>();
  private final CompletableFuture<Finished> initial = new CompletableFuture<>();

  /** A report and, when the reload failed, the exception that says why. */
  private record Finished(ReloadReport report, HotReloadException failure) {}

  /** The reload in progress. Its phase and flags are guarded by its monitor. */
  private static final class Running {
    final Reload reload;
    final Instant detectedSince;
    final Artifact artifact; // set for target-only reloads, which skip the build
    final List<Destination> only;
    final List<CompletableFuture<ReloadReport>> waiters;
    final CompletableFuture<Finished> done = new CompletableFuture<>();
    Thread thread;
    Phase phase = Phase.CHANGE_DETECTED;
    boolean superseded;
    boolean cancelled;

    Running(Reload reload, Instant detectedSince, Artifact artifact, List<Destination> only,
        List<CompletableFuture<ReloadReport>> waiters) {
      this.reload = reload;
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

  private ReloadEngine(HotReloadSpec spec) {
    this.spec = spec;
    this.builder = Plugins.builder(spec);
    this.watcher = Plugins.watcher(spec);
    this.transport = Plugins.transport(spec);
    this.readiness = spec.readiness().orElse(null);
    this.clock = spec.clock();
    this.listeners = new ListenerDispatcher(spec.listener(), spec.listenerFactory().orElse(null));
    this.coordinator = Executors.newSingleThreadScheduledExecutor(threads("hotreload-coordinator"));
    this.ownsWorkers = spec.executor().isEmpty();
    this.workers = spec.executor().orElseGet(() -> Executors.newCachedThreadPool(threads("hotreload-worker")));
  }

  /**
   * Checks the workspace, opens the target, starts watching and schedules the initial reload.
   *
   * @param spec the configuration
   * @return the running session
   */
  public static Session start(HotReloadSpec spec) {
    ReloadEngine engine = new ReloadEngine(spec);
    try {
      engine.open();
    } catch (RuntimeException e) {
      engine.shutdownQuietly();
      throw e;
    }
    return engine;
  }

  private void open() {
    BuildRequest request = buildRequest();
    try {
      builder.check(request);
    } catch (IOException e) {
      throw new BuildFailedException("Cannot build " + spec.mainPackage() + ": " + e.getMessage(),
          spec.platform(), builder.getClass(), List.of(), e);
    }
    try {
      handle = spec.target().open(new TargetRequest(spec.platform(), new Events()));
    } catch (IOException e) {
      throw new TransferFailedException(
          "Target " + spec.target() + " could not be opened: " + e.getMessage(),
          String.valueOf(spec.target()), spec.platform(), spec.target().getClass(), e);
    }
    try {
      watch = watcher.watch(new WatchRequest(spec.workspace(), spec.mainPackage()), changes -> {
        try {
          coordinator.execute(guarded(() -> onChanges(changes)));
        } catch (RejectedExecutionException e) {
          // closing
        }
      });
    } catch (IOException e) {
      throw new HotReloadException(
          "Watching " + spec.workspace() + " failed: " + e.getMessage(), Phase.CHANGE_DETECTED,
          null, spec.platform(), watcher.getClass(), e);
    }
    coordinator.execute(
        guarded(() -> startReload(Reload.Trigger.INITIAL, ChangeSet.EMPTY, null, null, null,
            new ArrayList<>())));
  }

  private BuildRequest buildRequest() {
    return new BuildRequest(spec.workspace(), spec.mainPackage(), spec.platform());
  }

  /** Receives what the target reports; every call is handed to the coordinator or listener. */
  private final class Events implements TargetEvents {
    @Override
    public void destinationsAdded(List<Destination> added) {
      List<Destination> copy = List.copyOf(added);
      try {
        coordinator.execute(guarded(() -> {
          newDestinations.addAll(copy);
          maybeStart();
        }));
      } catch (RejectedExecutionException e) {
        // closing
      }
    }

    @Override
    public void output(Destination destination, String line) {
      listeners.emit(l -> l.output(destination, line));
    }

    @Override
    public void log(LogEvent event) {
      listeners.emit(l -> l.log(event));
    }
  }

  // ---- coordinator thread -------------------------------------------------------------------

  private void onChanges(ChangeSet changes) {
    if (closing.get()) {
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
    debounceTask = coordinator.schedule(guarded(() -> {
      debounceTask = null;
      maybeStart();
    }), spec.debounce().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void maybeStart() {
    if (running != null || closing.get() || debounceTask != null) {
      return;
    }
    if (!pending.isEmpty() || !manualWaiters.isEmpty()) {
      Reload.Trigger trigger = pending.isEmpty() ? Reload.Trigger.MANUAL : Reload.Trigger.FILE_CHANGE;
      List<CompletableFuture<ReloadReport>> waiters = new ArrayList<>(manualWaiters);
      manualWaiters.clear();
      ChangeSet changes = pending;
      Instant since = pendingSince;
      pending = ChangeSet.EMPTY;
      pendingSince = null;
      // A full reload reaches every destination of the target, new ones included.
      newDestinations.clear();
      startReload(trigger, changes, since, null, null, waiters);
    } else if (!newDestinations.isEmpty() && current != null) {
      List<Destination> only = List.copyOf(newDestinations);
      newDestinations.clear();
      startReload(Reload.Trigger.TARGET_CHANGED, ChangeSet.EMPTY, clock.instant(), current, only,
          new ArrayList<>());
    }
  }

  private void startReload(
      Reload.Trigger trigger, ChangeSet changes, Instant since, Artifact artifact,
      List<Destination> only, List<CompletableFuture<ReloadReport>> waiters) {
    Reload reload = new Reload(++sequence, trigger, changes);
    Running run = new Running(reload, since, artifact, only, waiters);
    running = run;
    if (state == SessionState.WATCHING) {
      state = SessionState.RELOADING;
    }
    try {
      workers.execute(() -> {
        Finished finished = execute(run);
        run.done.complete(finished);
        try {
          coordinator.execute(guarded(() -> finished(run, finished)));
        } catch (RejectedExecutionException e) {
          // closing: close() settles the waiters
        }
      });
    } catch (RejectedExecutionException e) {
      running = null;
      throw e;
    }
  }

  private void finished(Running run, Finished finished) {
    running = null;
    ReloadReport report = finished.report();
    if (report.outcome() == Outcome.SUPERSEDED) {
      // Its changes still need building: they go first, before whatever arrived since.
      pending = run.reload.changes().merge(pending);
      manualWaiters.addAll(0, run.waiters);
    } else {
      if (!closing.get()) {
        state = SessionState.WATCHING; // before anyone waiting on this reload wakes up
      }
      run.waiters.forEach(w -> w.complete(report));
      if (!initial.isDone()) {
        initial.complete(finished);
      }
    }
    if (report.artifact().isPresent()
        && report.deliveries().stream().anyMatch(ReloadReport.Delivery::succeeded)) {
      current = report.artifact().get();
    } else if (report.artifact().isPresent() && report.deliveries().isEmpty()
        && report.succeeded()) {
      current = report.artifact().get(); // no destination yet: the next one to appear gets it
    }
    if (!closing.get() && initial.isDone()) {
      state = SessionState.WATCHING;
    }
    maybeStart();
  }

  // ---- worker thread ------------------------------------------------------------------------

  private Finished execute(Running run) {
    run.started(Thread.currentThread());
    Reload reload = run.reload;
    ReloadListener listener = listeners.forReload(reload);
    Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
    Instant start = clock.instant();
    Instant since = run.detectedSince != null ? run.detectedSince : start;
    ReportBuilder report = new ReportBuilder(reload, phases, since);

    listeners.emit(listener, l -> l.reloadStart(reload));
    phases.put(Phase.CHANGE_DETECTED, Duration.between(since, start));
    listeners.emit(listener, l -> l.changesDetected(reload));

    Artifact artifact = run.artifact;
    if (artifact == null) {
      if (!run.enter(Phase.BUILD)) {
        return canceled(run, listener, report, Phase.BUILD);
      }
      listeners.emit(listener, l -> l.buildStart(reload));
      Instant buildStart = clock.instant();
      try {
        artifact = builder.build(buildRequest());
      } catch (BuildFailedException e) {
        if (run.stopped()) {
          return canceled(run, listener, report, Phase.BUILD);
        }
        phases.put(Phase.BUILD, Duration.between(buildStart, clock.instant()));
        listeners.emit(listener, l -> l.buildFailed(reload, e));
        return failed(listener, report.diagnostics(e.getDiagnostics()), e);
      } catch (InterruptedIOException e) {
        return canceled(run, listener, report, Phase.BUILD);
      } catch (IOException | RuntimeException e) {
        if (run.stopped()) {
          return canceled(run, listener, report, Phase.BUILD);
        }
        phases.put(Phase.BUILD, Duration.between(buildStart, clock.instant()));
        BuildFailedException wrapped = new BuildFailedException(
            "Building " + spec.mainPackage() + " with " + builder.getClass().getSimpleName()
                + " failed: " + e.getMessage(), spec.platform(), builder.getClass(), List.of(), e);
        listeners.emit(listener, l -> l.buildFailed(reload, wrapped));
        return failed(listener, report, wrapped);
      }
      phases.put(Phase.BUILD, Duration.between(buildStart, clock.instant()));
      if (!run.enter(Phase.TRANSFER)) {
        Thread.interrupted(); // the supersede may have hit just as the build returned
        return canceled(run, listener, report, Phase.BUILD);
      }
      Artifact built = artifact;
      listeners.emit(listener, l -> l.buildEnd(reload, built));
    } else if (!run.enter(Phase.TRANSFER)) {
      return canceled(run, listener, report, Phase.TRANSFER);
    }
    report.artifact(artifact);
    return deliver(run, listener, report, artifact);
  }

  private Finished deliver(Running run, ReloadListener listener, ReportBuilder report,
      Artifact artifact) {
    Reload reload = run.reload;
    Map<Phase, Duration> phases = report.phases;
    List<Destination> destinations = run.only != null ? run.only : handle.destinations();
    if (destinations.isEmpty()) {
      listeners.emit(listener, l -> l.log(LogEvent.warn(
          "Target " + spec.target() + " has no destination yet: " + artifact.binaryName()
              + " goes to the first one that appears")));
      return succeeded(listener, report);
    }
    listeners.emit(listener, l -> l.transferStart(reload, destinations));
    Instant transferStart = clock.instant();
    Deliveries deliveries =
        Deliveries.start(workers, transport, artifact, destinations, spec.transferTimeout());
    List<Deliveries.Result> results;
    try {
      deliveries.awaitAllSent();
      Instant sentAt = clock.instant();
      phases.put(Phase.TRANSFER, Duration.between(transferStart, sentAt));
      boolean transferFailed = false;
      results = deliveries.awaitAll();
      for (Deliveries.Result r : results) {
        report.delivery(r.toDelivery(), artifact.size());
        if (r.failure() instanceof TransferFailedException) {
          transferFailed = true;
        }
      }
      if (transferFailed) {
        HotReloadException first = firstFailure(results, TransferFailedException.class);
        listeners.emit(listener, l -> l.transferFailed(reload, first));
        return failed(listener, report, first);
      }
      listeners.emit(listener, l -> l.transferEnd(reload, deliveries.bytesSent()));
      listeners.emit(listener, l -> l.restartStart(reload));
      splitTransferAndRestart(phases, results, transferStart, sentAt, clock.instant());
      Optional<Deliveries.Result> restartFailure =
          results.stream().filter(r -> !r.succeeded()).findFirst();
      if (restartFailure.isPresent()) {
        HotReloadException e = restartFailure.get().failure();
        listeners.emit(listener, l -> l.restartFailed(reload, e));
        return failed(listener, report, e);
      }
      listeners.emit(listener, l -> l.restartEnd(reload));
    } catch (InterruptedException e) {
      deliveries.cancel();
      Thread.currentThread().interrupt();
      ReloadCanceledException canceled =
          new ReloadCanceledException("Session closed during delivery", Phase.TRANSFER);
      listeners.emit(listener, l -> l.transferFailed(reload, canceled));
      return finish(listener, report.outcome(Outcome.CANCELLED, canceled.getMessage()), canceled);
    }
    if (readiness != null) {
      return awaitReady(run, listener, report, destinations);
    }
    return succeeded(listener, report);
  }

  /**
   * The moment the last byte was written is the end of the transfer only when the link pushes
   * back; a fast local buffer (a proxy, a large socket buffer) makes writing look instant and
   * charges the whole transfer to the restart. So when the destinations measured their restart
   * themselves, the slowest one's restart is the restart phase and the rest is the transfer.
   */
  private static void splitTransferAndRestart(Map<Phase, Duration> phases,
      List<Deliveries.Result> results, Instant start, Instant sentAt, Instant end) {
    Duration total = Duration.between(start, end);
    Duration measured = results.stream().filter(Deliveries.Result::succeeded)
        .map(r -> r.transfer().restart()).max(Duration::compareTo).orElse(Duration.ZERO);
    if (!measured.isZero() && !measured.isNegative() && measured.compareTo(total) < 0) {
      phases.put(Phase.TRANSFER, total.minus(measured));
      phases.put(Phase.RESTART, measured);
    } else {
      phases.put(Phase.TRANSFER, Duration.between(start, sentAt));
      phases.put(Phase.RESTART, Duration.between(sentAt, end));
    }
  }

  private Finished awaitReady(Running run, ReloadListener listener, ReportBuilder report,
      List<Destination> destinations) {
    Reload reload = run.reload;
    listeners.emit(listener, l -> l.readyStart(reload));
    Instant readyStart = clock.instant();
    List<Future<?>> checks = new ArrayList<>();
    for (Destination d : destinations) {
      checks.add(workers.submit(() -> {
        readiness.await(d, spec.readyTimeout());
        return null;
      }));
    }
    HotReloadException problem = null;
    for (int i = 0; i < checks.size(); i++) {
      try {
        checks.get(i).get();
      } catch (InterruptedException e) {
        checks.forEach(c -> c.cancel(true));
        Thread.currentThread().interrupt();
        problem = new ReloadCanceledException("Session closed while waiting for readiness",
            Phase.READY);
        break;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        String why = cause instanceof TimeoutException
            ? "not ready within " + spec.readyTimeout().toMillis() + " ms"
            : String.valueOf(cause.getMessage());
        if (problem == null) {
          problem = new RestartFailedException(
              destinations.get(i).id() + " restarted but is not ready: " + why,
              Phase.READY, destinations.get(i).id(), spec.platform(),
              readiness.getClass(), cause);
        }
      }
    }
    report.phases.put(Phase.READY, Duration.between(readyStart, clock.instant()));
    if (problem != null) {
      HotReloadException e = problem;
      listeners.emit(listener, l -> l.readyFailed(reload, e));
      return failed(listener, report, e);
    }
    listeners.emit(listener, l -> l.readyEnd(reload));
    return succeeded(listener, report);
  }

  private static HotReloadException firstFailure(
      List<Deliveries.Result> results, Class<? extends HotReloadException> kind) {
    return results.stream().map(Deliveries.Result::failure).filter(kind::isInstance).findFirst()
        .orElseThrow();
  }

  private Finished canceled(Running run, ReloadListener listener, ReportBuilder report,
      Phase phase) {
    Outcome outcome = run.stopOutcome();
    String why = outcome == Outcome.SUPERSEDED ? "superseded by newer changes" : "session closed";
    ReloadCanceledException e = new ReloadCanceledException(why, phase);
    Reload reload = run.reload;
    if (phase == Phase.BUILD) {
      listeners.emit(listener, l -> l.buildFailed(reload, e));
    } else {
      listeners.emit(listener, l -> l.transferFailed(reload, e));
    }
    return finish(listener, report.outcome(outcome, why), e);
  }

  private Finished failed(ReloadListener listener, ReportBuilder report, HotReloadException e) {
    return finish(listener, report.outcome(Outcome.FAILED, e.getMessage()), e);
  }

  private Finished succeeded(ReloadListener listener, ReportBuilder report) {
    return finish(listener, report.outcome(Outcome.SUCCEEDED, null), null);
  }

  private Finished finish(ReloadListener listener, ReportBuilder builder, HotReloadException e) {
    ReloadReport report = builder.build(clock.instant());
    if (report.succeeded()) {
      listeners.emit(listener, l -> l.reloadEnd(report.reload(), report));
    } else {
      listeners.emit(listener, l -> l.reloadFailed(report.reload(), report));
    }
    // Published after the listeners ran, so whoever awaits the report also sees their effects.
    synchronized (history) {
      history.add(report);
      history.notifyAll();
    }
    return new Finished(report, e);
  }

  /** Collects a report's parts as the reload goes. */
  private static final class ReportBuilder {
    final Reload reload;
    final Map<Phase, Duration> phases;
    final Instant since;
    Outcome outcome;
    String failure;
    Artifact artifact;
    List<dev.hotreload.Diagnostic> diagnostics = List.of();
    final List<ReloadReport.Delivery> deliveries = new ArrayList<>();
    long bytesSent;
    long bytesRaw;

    ReportBuilder(Reload reload, Map<Phase, Duration> phases, Instant since) {
      this.reload = reload;
      this.phases = phases;
      this.since = since;
    }

    ReportBuilder diagnostics(List<dev.hotreload.Diagnostic> list) {
      diagnostics = list;
      return this;
    }

    ReportBuilder artifact(Artifact a) {
      artifact = a;
      return this;
    }

    void delivery(ReloadReport.Delivery d, long rawSize) {
      deliveries.add(d);
      bytesSent += d.bytesSent();
      if (d.succeeded()) {
        bytesRaw += rawSize;
      }
    }

    ReportBuilder outcome(Outcome o, String why) {
      outcome = o;
      failure = why;
      return this;
    }

    ReloadReport build(Instant end) {
      return new ReloadReport(reload, outcome, phases, Duration.between(since, end),
          Optional.ofNullable(artifact), bytesSent, bytesRaw, deliveries,
          Optional.ofNullable(failure), diagnostics);
    }
  }

  // ---- Session ------------------------------------------------------------------------------

  @Override
  public SessionState state() {
    return state;
  }

  @Override
  public Optional<Throwable> failureCause() {
    return Optional.ofNullable(failure);
  }

  @Override
  public ReloadReport awaitReady(Duration timeout) throws TimeoutException, InterruptedException {
    Finished finished;
    try {
      finished = initial.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HotReloadException h) {
        throw h;
      }
      throw new HotReloadException("Session failed before it was ready: " + cause, Phase.BUILD,
          null, spec.platform(), null, cause);
    } catch (TimeoutException e) {
      throw new TimeoutException(
          "The first build and delivery of " + spec.mainPackage() + " did not finish within "
              + timeout.toMillis() + " ms (state " + state + ")");
    }
    if (finished.failure() != null) {
      throw finished.failure();
    }
    return finished.report();
  }

  @Override
  public CompletableFuture<ReloadReport> reloadNow() {
    CompletableFuture<ReloadReport> future = new CompletableFuture<>();
    if (closing.get()) {
      future.completeExceptionally(new IllegalStateException("Session is " + state));
      return future;
    }
    try {
      coordinator.execute(guarded(() -> {
        manualWaiters.add(future);
        maybeStart();
      }));
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(new IllegalStateException("Session is " + state));
    }
    return future;
  }

  @Override
  public ReloadReport awaitReload(Duration timeout) throws TimeoutException, InterruptedException {
    return awaitReloadAfter(lastSequence(), timeout);
  }

  @Override
  public long lastSequence() {
    synchronized (history) {
      return history.isEmpty() ? 0 : history.get(history.size() - 1).reload().sequence();
    }
  }

  @Override
  public ReloadReport awaitReloadAfter(long sequence, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (history) {
      while (true) {
        for (ReloadReport report : history) {
          if (report.reload().sequence() > sequence) {
            return report;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || state.isTerminal()) {
          throw new TimeoutException("No reload after #" + sequence + " finished within "
              + timeout.toMillis() + " ms (state " + state + ")");
        }
        TimeUnit.NANOSECONDS.timedWait(history, left);
      }
    }
  }

  @Override
  public List<ReloadReport> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  @Override
  public void awaitClose() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      try {
        closed.await(CLOSE_GRACE.toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    if (!state.isTerminal()) {
      state = SessionState.STOPPING;
    }
    closeQuietly(watch);
    CompletableFuture<Running> inFlight = new CompletableFuture<>();
    try {
      coordinator.execute(() -> {
        if (debounceTask != null) {
          debounceTask.cancel(false);
        }
        if (running != null) {
          running.cancel();
        }
        inFlight.complete(running);
      });
      Running run = inFlight.get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      if (run != null) {
        run.done.get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
      // Let the coordinator settle the finished reload's waiters before stopping it.
      coordinator.submit(() -> {}).get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      listeners.emit(l -> l.log(LogEvent.warn("Session did not stop cleanly: " + e)));
    }
    shutdownQuietly();
    if (state != SessionState.FAILED) {
      state = SessionState.CLOSED;
    }
  }

  private void shutdownQuietly() {
    closeQuietly(watch);
    if (handle != null) {
      closeQuietly(handle);
    }
    // A transport may hold connections to the destinations (long-lived execs, for one).
    if (transport instanceof Closeable closeable) {
      closeQuietly(closeable);
    }
    coordinator.shutdownNow();
    if (ownsWorkers) {
      workers.shutdownNow();
    }
    CancellationException gone = new CancellationException("Session closed");
    // The coordinator is gone: touching its lists from here is safe now.
    manualWaiters.forEach(w -> w.completeExceptionally(gone));
    initial.completeExceptionally(
        new ReloadCanceledException("Session closed before the first reload finished",
            Phase.BUILD));
    synchronized (history) {
      history.notifyAll();
    }
    closed.countDown();
  }

  private void closeQuietly(Closeable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      listeners.emit(l -> l.log(LogEvent.warn("Closing " + closeable + " failed: " + e)));
    }
  }

  /** Runs a coordinator task; an exception escaping it is a bug that fails the session. */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        fail(e);
      }
    };
  }

  private void fail(Throwable e) {
    failure = e;
    state = SessionState.FAILED;
    listeners.emit(l -> l.log(LogEvent.error("Session failed: " + e)));
    if (!initial.isDone()) {
      initial.completeExceptionally(e);
    }
    Thread closer = new Thread(this::close, "hotreload-close");
    closer.setDaemon(true);
    closer.start();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public String toString() {
    return "Session[" + spec.mainPackage() + " → " + spec.target() + ", " + state + "]";
  }
}
