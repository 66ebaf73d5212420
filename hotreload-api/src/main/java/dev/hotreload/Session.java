package dev.hotreload;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A running hot-reload loop: watches the workspace, rebuilds on change and delivers the binary to
 * every destination of the target.
 *
 * <p>Thread-safe. Reloads run one at a time on the session's coordinator thread. {@link #close()}
 * is idempotent, throws nothing checked, cancels the reload in progress and stops the watcher;
 * what it does to the destinations (stop a local process, leave pods running) is up to the
 * target.
 *
 * <pre>{@code
 * try (Session session = HotReload.forWorkspace(Path.of("."))
 *     .mainPackage("./cmd/server")
 *     .target(LocalProcessTarget.create())
 *     .start()) {
 *   session.awaitReady(Duration.ofMinutes(1));
 *   session.awaitClose();
 * }
 * }</pre>
 */
public interface Session extends AutoCloseable {

  /**
   * Where the session is in its life.
   *
   * @return the current state
   */
  SessionState state();

  /**
   * Why the session failed.
   *
   * @return the fatal error, empty unless the state is {@link SessionState#FAILED}
   */
  Optional<Throwable> failureCause();

  /**
   * Waits until the first build has been delivered (or has failed) and the session watches.
   *
   * @param timeout how long to wait
   * @return the report of the initial reload
   * @throws TimeoutException if the initial reload has not finished in time
   * @throws InterruptedException if interrupted while waiting
   * @throws HotReloadException if the initial reload failed (the session keeps watching, so a
   *     fix in the source still gets delivered) or the session failed
   */
  ReloadReport awaitReady(Duration timeout) throws TimeoutException, InterruptedException;

  /**
   * Rebuilds and delivers now, without waiting for a file change. Merges with pending changes.
   *
   * @return completes with the report of the reload that ran for this request; a superseded
   *     request completes with the report of the reload that replaced it
   */
  CompletableFuture<ReloadReport> reloadNow();

  /**
   * Waits for the next reload to finish, whatever its outcome: the first one with a sequence
   * greater than that of the last report finished when this method was called.
   *
   * @param timeout how long to wait
   * @return its report
   * @throws TimeoutException if none finished in time
   * @throws InterruptedException if interrupted while waiting
   */
  ReloadReport awaitReload(Duration timeout) throws TimeoutException, InterruptedException;

  /**
   * Waits until a reload with a sequence greater than {@code sequence} has finished. Unlike
   * {@link #awaitReload(Duration)} it cannot miss a reload that finishes before it is called:
   * read {@link #lastSequence()} first, then act, then wait.
   *
   * @param sequence the last sequence already seen
   * @param timeout how long to wait
   * @return the report of the first such reload
   * @throws TimeoutException if none finished in time
   * @throws InterruptedException if interrupted while waiting
   */
  ReloadReport awaitReloadAfter(long sequence, Duration timeout)
      throws TimeoutException, InterruptedException;

  /**
   * The sequence of the last finished reload.
   *
   * @return its sequence, 0 before the first one finished
   */
  long lastSequence();

  /**
   * The reports of every finished reload, oldest first; superseded ones included.
   *
   * @return an immutable snapshot
   */
  List<ReloadReport> history();

  /**
   * Blocks until the session is closed or failed, for a main method that runs until Ctrl-C.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void awaitClose() throws InterruptedException;

  /** Stops watching, cancels the reload in progress and releases the target. Idempotent. */
  @Override
  void close();
}
