package dev.hotreload.event;

import dev.hotreload.Artifact;
import dev.hotreload.HotReloadException;
import dev.hotreload.LogEvent;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.spi.Destination;
import java.util.ArrayList;
import java.util.List;

/**
 * Observes reloads phase by phase, after OkHttp's {@code EventListener}. Every method does
 * nothing by default; override the ones you need.
 *
 * <p>Callbacks of one reload nest like this; every {@code …Start} is followed by exactly one
 * {@code …End} or {@code …Failed}, and a phase that fails ends the reload:
 *
 * <pre>
 * reloadStart
 *   changesDetected
 *   buildStart      (buildEnd | buildFailed)        — skipped when the target changed only
 *   transferStart   (transferEnd | transferFailed)
 *   restartStart    (restartEnd | restartFailed)
 *   readyStart      (readyEnd | readyFailed)         — only when a readiness check is set
 * (reloadEnd | reloadFailed)
 * </pre>
 *
 * A reload superseded by newer changes, or cut short by {@code close()}, gets a {@code …Failed}
 * call with a {@link dev.hotreload.ReloadCanceledException} and then {@code reloadFailed}.
 * {@link #output} and {@link #log} may arrive at any time, from any thread.
 *
 * <p>Callbacks must be fast, must not block and must not call back into the session. The session
 * calls them one at a time (never concurrently) and catches whatever they throw, so a faulty
 * listener never breaks a reload.
 */
public abstract class ReloadListener {

  /** A listener that ignores everything. */
  public static final ReloadListener NONE = new ReloadListener() {};

  /** Makes a listener per reload, for listeners that keep state per reload. */
  @FunctionalInterface
  public interface Factory {
    /**
     * Creates the listener of one reload.
     *
     * @param reload the reload about to start
     * @return its listener
     */
    ReloadListener create(Reload reload);
  }

  /**
   * A reload begins.
   *
   * @param reload the reload
   */
  public void reloadStart(Reload reload) {}

  /**
   * The debounce window closed; these changes go into this reload.
   *
   * @param reload the reload, whose {@link Reload#changes()} are the changes
   */
  public void changesDetected(Reload reload) {}

  /**
   * The build begins.
   *
   * @param reload the reload
   */
  public void buildStart(Reload reload) {}

  /**
   * The build produced a binary.
   *
   * @param reload the reload
   * @param artifact the binary
   */
  public void buildEnd(Reload reload, Artifact artifact) {}

  /**
   * The build failed or was cancelled.
   *
   * @param reload the reload
   * @param failure a {@link dev.hotreload.BuildFailedException} with the compiler's diagnostics,
   *     or a {@link dev.hotreload.ReloadCanceledException}
   */
  public void buildFailed(Reload reload, HotReloadException failure) {}

  /**
   * Sending begins.
   *
   * @param reload the reload
   * @param destinations where the binary goes
   */
  public void transferStart(Reload reload, List<Destination> destinations) {}

  /**
   * Every byte reached every destination.
   *
   * @param reload the reload
   * @param bytesSent bytes on the wire, summed over destinations
   */
  public void transferEnd(Reload reload, long bytesSent) {}

  /**
   * Sending failed.
   *
   * @param reload the reload
   * @param failure what failed, naming the destination
   */
  public void transferFailed(Reload reload, HotReloadException failure) {}

  /**
   * The destinations swap the binary and restart the process.
   *
   * @param reload the reload
   */
  public void restartStart(Reload reload) {}

  /**
   * Every destination runs the new binary.
   *
   * @param reload the reload
   */
  public void restartEnd(Reload reload) {}

  /**
   * A destination could not start the new binary.
   *
   * @param reload the reload
   * @param failure what failed, naming the destination
   */
  public void restartFailed(Reload reload, HotReloadException failure) {}

  /**
   * Waiting for the readiness check begins.
   *
   * @param reload the reload
   */
  public void readyStart(Reload reload) {}

  /**
   * Every destination is ready.
   *
   * @param reload the reload
   */
  public void readyEnd(Reload reload) {}

  /**
   * A destination did not become ready in time.
   *
   * @param reload the reload
   * @param failure what failed, naming the destination
   */
  public void readyFailed(Reload reload, HotReloadException failure) {}

  /**
   * The reload succeeded.
   *
   * @param reload the reload
   * @param report its phases, bytes and deliveries
   */
  public void reloadEnd(Reload reload, ReloadReport report) {}

  /**
   * The reload failed, was superseded or was cancelled; the destinations it did not reach keep
   * their previous binary.
   *
   * @param reload the reload
   * @param report its phases, failure and diagnostics
   */
  public void reloadFailed(Reload reload, ReloadReport report) {}

  /**
   * A line the application printed.
   *
   * @param destination where the application runs
   * @param line the line
   */
  public void output(Destination destination, String line) {}

  /**
   * A diagnostic message of the library.
   *
   * @param event the message
   */
  public void log(LogEvent event) {}

  /**
   * A listener that forwards every call to each of {@code listeners} in order, like OkHttp's
   * {@code EventListener.plus}. One that throws does not keep the others from being called.
   *
   * @param listeners the listeners
   * @return the composite
   */
  public static ReloadListener compose(ReloadListener... listeners) {
    List<ReloadListener> all = new ArrayList<>();
    for (ReloadListener listener : listeners) {
      if (listener instanceof CompositeReloadListener composite) {
        all.addAll(composite.listeners());
      } else if (listener != NONE) {
        all.add(listener);
      }
    }
    if (all.isEmpty()) {
      return NONE;
    }
    return all.size() == 1 ? all.get(0) : new CompositeReloadListener(all);
  }

  /**
   * This listener followed by {@code next}.
   *
   * @param next the listener called after this one
   * @return the composite
   */
  public final ReloadListener plus(ReloadListener next) {
    return compose(this, next);
  }
}
