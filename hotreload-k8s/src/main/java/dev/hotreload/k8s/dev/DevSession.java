package dev.hotreload.k8s.dev;

import dev.hotreload.LogEvent;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.SessionState;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.spi.TargetHandle;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A whole Kubernetes dev session, as {@link KubernetesDev#start()} leaves it: one reload session
 * per service (and per node platform), the port-forwards, and what was applied, which {@link
 * #close()} restores unless the session was told to keep it.
 *
 * <p>As a {@link Session} it is the sum of its services': {@link #history()} holds every
 * service's reports in the order they finished (each names its service: {@link
 * Reload#sessionName()}), and sequence numbers count that combined history. Thread-safe.
 */
public final class DevSession implements Session {
  private final Map<String, Session> services;
  private final Map<String, PortForwarder> forwards;
  private final List<TargetHandle> forwardTargets;
  private final Deployer deployer;
  private final Runnable releaseClient;
  private final boolean keep;
  private final ReloadListener listener;
  private final List<ReloadReport> history;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  DevSession(Map<String, Session> services, Map<String, PortForwarder> forwards,
      List<TargetHandle> forwardTargets, Deployer deployer, Runnable releaseClient,
      boolean keep, ReloadListener listener, List<ReloadReport> history) {
    this.services = new LinkedHashMap<>(services);
    this.forwards = new LinkedHashMap<>(forwards);
    this.forwardTargets = List.copyOf(forwardTargets);
    this.deployer = deployer;
    this.releaseClient = releaseClient;
    this.keep = keep;
    this.listener = listener;
    this.history = history;
  }

  /**
   * The reload session of each service, by name ({@code shop}, or {@code shop-arm64} when the
   * nodes run several platforms).
   *
   * @return the sessions, in the order the manifests name the services
   */
  public Map<String, Session> services() {
    return Map.copyOf(services);
  }

  /**
   * The local port of a declared port-forward.
   *
   * @param resource as declared, for example {@code deployment/shop}
   * @return the port on 127.0.0.1
   * @throws IllegalArgumentException if no port-forward was declared for it
   */
  public int localPort(String resource) {
    PortForwarder forward = forwards.get(resource);
    if (forward == null) {
      throw new IllegalArgumentException("No port-forward to '" + resource + "'; declared: "
          + forwards.keySet());
    }
    return forward.localPort();
  }

  @Override
  public SessionState state() {
    if (closing.get()) {
      return closed.getCount() == 0 ? SessionState.CLOSED : SessionState.STOPPING;
    }
    List<SessionState> states = services.values().stream().map(Session::state).toList();
    for (SessionState worst : List.of(SessionState.FAILED, SessionState.STARTING,
        SessionState.RELOADING)) {
      if (states.contains(worst)) {
        return worst;
      }
    }
    return SessionState.WATCHING;
  }

  @Override
  public Optional<Throwable> failureCause() {
    return services.values().stream().map(Session::failureCause).flatMap(Optional::stream)
        .findFirst();
  }

  /**
   * Waits until every service has its first binary in every pod.
   *
   * @return the report of the service that was ready last
   */
  @Override
  public ReloadReport awaitReady(Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ReloadReport last = null;
    for (Session service : services.values()) {
      last = service.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    return last;
  }

  /**
   * Rebuilds and reloads every service.
   *
   * @return completes with the last service's report once all are done
   */
  @Override
  public CompletableFuture<ReloadReport> reloadNow() {
    List<CompletableFuture<ReloadReport>> all =
        services.values().stream().map(Session::reloadNow).toList();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(v -> all.get(all.size() - 1).join());
  }

  @Override
  public ReloadReport awaitReload(Duration timeout) throws TimeoutException, InterruptedException {
    return awaitReloadAfter(lastSequence(), timeout);
  }

  @Override
  public long lastSequence() {
    synchronized (history) {
      return history.size();
    }
  }

  @Override
  public ReloadReport awaitReloadAfter(long sequence, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (history) {
      while (history.size() <= sequence) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || state().isTerminal()) {
          throw new TimeoutException("No reload of " + services.keySet() + " after #" + sequence
              + " finished within " + timeout.toMillis() + " ms (state " + state() + ")");
        }
        TimeUnit.NANOSECONDS.timedWait(history, left);
      }
      return history.get((int) sequence);
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

  /**
   * Stops watching, closes the port-forwards and puts the cluster back as it was before
   * {@code start()} (unless told to keep the dev deployment). Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      try {
        closed.await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      services.values().forEach(Session::close);
      forwards.values().forEach(PortForwarder::close);
      forwardTargets.forEach(DevSession::closeQuietly);
      if (!keep) {
        listener.log(LogEvent.info("Restoring what the dev session applied"));
        deployer.restore();
      }
    } catch (IOException | RuntimeException e) {
      listener.log(LogEvent.error("Restoring the cluster failed: " + e.getMessage()));
    } finally {
      releaseClient.run();
      synchronized (history) {
        history.notifyAll();
      }
      closed.countDown();
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      // a port-forward's pod watch: nothing depends on it once the forward is closed
    }
  }

  /** Records every service's finished reloads into the combined history. */
  static ReloadListener recorder(List<ReloadReport> history) {
    return new ReloadListener() {
      @Override
      public void reloadEnd(Reload reload, ReloadReport report) {
        add(report);
      }

      @Override
      public void reloadFailed(Reload reload, ReloadReport report) {
        add(report);
      }

      private void add(ReloadReport report) {
        synchronized (history) {
          history.add(report);
          history.notifyAll();
        }
      }
    };
  }

  @Override
  public String toString() {
    return "DevSession[" + services.keySet() + ", forwards " + forwards.keySet() + ", "
        + state() + "]";
  }
}
