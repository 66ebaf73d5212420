package dev.hotreload.core.internal.engine;

import dev.hotreload.BuildFailedException;
import dev.hotreload.ChangeSet;
import dev.hotreload.HotReloadException;
import dev.hotreload.LogEvent;
import dev.hotreload.Phase;
import dev.hotreload.ReloadCanceledException;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.SessionState;
import dev.hotreload.TransferFailedException;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.WatchRequest;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link Session} a user holds: opens the target and the watch, hands changes and new
 * destinations to the {@link ReloadScheduler} on the single coordinator thread, and closes
 * everything it started. Reloads run on worker threads through the {@link ReloadPipeline}.
 */
public final class ReloadSession implements Session {
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private final EngineConfig config;
  private final ListenerDispatcher listeners;
  private final ScheduledExecutorService coordinator;
  private final ExecutorService workers;
  private final boolean ownsWorkers;
  private final SessionStatus status = new SessionStatus();
  private final ReloadHistory history = new ReloadHistory(() -> status.state);
  private final ReloadScheduler scheduler;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile TargetHandle handle;
  private volatile Closeable watch;

  private ReloadSession(EngineConfig config) {
    this.config = config;
    this.listeners = new ListenerDispatcher(config.listener(),
        config.listenerFactory().orElse(null));
    this.coordinator = Executors.newSingleThreadScheduledExecutor(threads("hotreload-coordinator"));
    this.ownsWorkers = config.executor().isEmpty();
    this.workers =
        config.executor().orElseGet(() -> Executors.newCachedThreadPool(threads("hotreload-worker")));
    // Orders this session's builds in every agent it reaches, apart from any other session's.
    String sessionId = Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);
    ReloadPipeline pipeline =
        new ReloadPipeline(config, listeners, workers, () -> handle, history, sessionId);
    this.scheduler = new ReloadScheduler(config, status, pipeline, coordinator, workers,
        this::guarded, () -> handle);
  }

  /**
   * Checks the workspace, opens the target, starts watching and schedules the initial reload.
   *
   * @param config the configuration, plug-ins resolved
   * @return the running session
   */
  public static Session start(EngineConfig config) {
    ReloadSession session = new ReloadSession(config);
    try {
      session.open();
    } catch (RuntimeException e) {
      session.shutdownQuietly();
      throw e;
    }
    return session;
  }

  private void open() {
    try {
      config.builder().check(config.buildRequest());
    } catch (IOException e) {
      throw new BuildFailedException("Cannot build " + config.mainPackage() + ": "
          + e.getMessage(), config.platform(), config.builder().getClass(), List.of(), e);
    }
    try {
      handle = config.target().open(new TargetRequest(config.platform(), new Events()));
    } catch (IOException e) {
      throw new TransferFailedException(
          "Target " + config.target() + " could not be opened: " + e.getMessage(),
          String.valueOf(config.target()), config.platform(), config.target().getClass(), e);
    }
    try {
      watch = config.watcher().watch(new WatchRequest(config.workspace(), config.mainPackage()),
          this::onChanges);
    } catch (IOException e) {
      throw new HotReloadException(
          "Watching " + config.workspace() + " failed: " + e.getMessage(), Phase.CHANGE_DETECTED,
          null, config.platform(), config.watcher().getClass(), e);
    }
    onCoordinator(scheduler::initialReload);
  }

  private void onChanges(ChangeSet changes) {
    onCoordinator(() -> scheduler.changes(changes, guarded(scheduler::debounced)));
  }

  /** Runs a task on the coordinator; once the session is closing, the task is dropped. */
  private boolean onCoordinator(Runnable task) {
    try {
      coordinator.execute(guarded(task));
      return true;
    } catch (RejectedExecutionException e) {
      return false; // closing
    }
  }

  /** Receives what the target reports; every call is handed to the coordinator or listener. */
  private final class Events implements TargetEvents {
    @Override
    public void destinationsAdded(List<Destination> added) {
      List<Destination> copy = List.copyOf(added);
      onCoordinator(() -> scheduler.destinationsAdded(copy));
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

  @Override
  public SessionState state() {
    return status.state;
  }

  @Override
  public Optional<Throwable> failureCause() {
    return Optional.ofNullable(status.failure);
  }

  @Override
  public ReloadReport awaitReady(Duration timeout) throws TimeoutException, InterruptedException {
    Finished finished;
    try {
      finished = status.initial.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HotReloadException h) {
        throw h;
      }
      throw new HotReloadException("Session failed before it was ready: " + cause, Phase.BUILD,
          null, config.platform(), null, cause);
    } catch (TimeoutException e) {
      throw new TimeoutException(
          "The first build and delivery of " + config.mainPackage() + " did not finish within "
              + timeout.toMillis() + " ms (state " + status.state + ")");
    }
    if (finished.failure() != null) {
      throw finished.failure();
    }
    return finished.report();
  }

  @Override
  public CompletableFuture<ReloadReport> reloadNow() {
    CompletableFuture<ReloadReport> future = new CompletableFuture<>();
    if (status.closing() || !onCoordinator(() -> scheduler.reloadNow(future))) {
      future.completeExceptionally(new IllegalStateException("Session is " + status.state));
    }
    return future;
  }

  @Override
  public ReloadReport awaitReload(Duration timeout) throws TimeoutException, InterruptedException {
    return history.awaitAfter(history.lastSequence(), timeout);
  }

  @Override
  public List<ReloadReport> history() {
    return history.all();
  }

  @Override
  public long lastSequence() {
    return history.lastSequence();
  }

  @Override
  public ReloadReport awaitReloadAfter(long sequence, Duration timeout)
      throws TimeoutException, InterruptedException {
    return history.awaitAfter(sequence, timeout);
  }

  @Override
  public void awaitClose() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    if (!status.closing.compareAndSet(false, true)) {
      try {
        closed.await(CLOSE_GRACE.toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    if (!status.state.isTerminal()) {
      status.state = SessionState.STOPPING;
    }
    closeQuietly(watch);
    try {
      ReloadRun run = coordinator.submit(scheduler::stop)
          .get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
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
    if (status.state != SessionState.FAILED) {
      status.state = SessionState.CLOSED;
    }
  }

  private void shutdownQuietly() {
    closeQuietly(watch);
    closeQuietly(handle);
    // A transport may hold connections to the destinations (long-lived execs, for one).
    if (config.transport() instanceof Closeable closeable) {
      closeQuietly(closeable);
    }
    coordinator.shutdownNow();
    if (ownsWorkers) {
      workers.shutdownNow();
    }
    CancellationException gone = new CancellationException("Session closed");
    // The coordinator is gone: touching the scheduler's lists from here is safe now.
    scheduler.abandonedWaiters().forEach(w -> w.completeExceptionally(gone));
    status.initial.completeExceptionally(
        new ReloadCanceledException("Session closed before the first reload finished",
            Phase.BUILD));
    history.wakeAll();
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

  /** Wraps a coordinator task: an exception escaping it is a bug that fails the session. */
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
    status.failure = e;
    status.state = SessionState.FAILED;
    listeners.emit(l -> l.log(LogEvent.error("Session failed: " + e)));
    status.initial.completeExceptionally(e);
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
    return "Session[" + config.mainPackage() + " → " + config.target() + ", " + status.state
        + "]";
  }
}
