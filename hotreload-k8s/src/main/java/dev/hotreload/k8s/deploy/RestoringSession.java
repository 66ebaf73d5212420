package dev.hotreload.k8s.deploy;

import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.SessionState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** A session whose close also puts back what a {@link Deployer} applied. */
final class RestoringSession implements Session {
  private final Session session;
  private final Deployer deployer;
  private final AtomicBoolean restored = new AtomicBoolean();

  RestoringSession(Session session, Deployer deployer) {
    this.session = session;
    this.deployer = deployer;
  }

  @Override
  public SessionState state() {
    return session.state();
  }

  @Override
  public Optional<Throwable> failureCause() {
    return session.failureCause();
  }

  @Override
  public ReloadReport awaitReady(Duration timeout)
      throws TimeoutException, InterruptedException {
    return session.awaitReady(timeout);
  }

  @Override
  public CompletableFuture<ReloadReport> reloadNow() {
    return session.reloadNow();
  }

  @Override
  public ReloadReport awaitReload(Duration timeout)
      throws TimeoutException, InterruptedException {
    return session.awaitReload(timeout);
  }

  @Override
  public ReloadReport awaitReloadAfter(long sequence, Duration timeout)
      throws TimeoutException, InterruptedException {
    return session.awaitReloadAfter(sequence, timeout);
  }

  @Override
  public long lastSequence() {
    return session.lastSequence();
  }

  @Override
  public List<ReloadReport> history() {
    return session.history();
  }

  @Override
  public void awaitClose() throws InterruptedException {
    session.awaitClose();
  }

  /**
   * Closes the session first, so nothing is delivered to pods that are going away, then restores.
   *
   * @throws UncheckedIOException if the API server refuses the restore (the session is closed)
   */
  @Override
  public void close() {
    session.close();
    if (restored.compareAndSet(false, true)) {
      try {
        deployer.restore();
      } catch (IOException e) {
        throw new UncheckedIOException("The session closed, but restoring the manifests it "
            + "deployed failed: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String toString() {
    return session + " (restores on close)";
  }
}
