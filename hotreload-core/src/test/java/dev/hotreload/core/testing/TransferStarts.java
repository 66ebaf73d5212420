package dev.hotreload.core.testing;

import dev.hotreload.Reload;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.Destination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Signals each start of a transfer, so that a test can hit a delivery while it is under way. */
public final class TransferStarts extends ReloadListener {
  private final Semaphore started = new Semaphore(0);
  private final List<String> seen = new ArrayList<>();

  @Override
  public void transferStart(Reload reload, List<Destination> destinations) {
    synchronized (seen) {
      seen.add("#" + reload.sequence() + " to " + destinations.size());
    }
    started.release();
  }

  /** Forgets the transfers started so far: {@link #awaitNext} waits for one after this. */
  public void drain() {
    started.drainPermits();
  }

  /**
   * Waits for the next transfer to start.
   *
   * @param wait how long at most
   * @throws AssertionError naming the transfers seen when none starts in time
   * @throws InterruptedException if interrupted
   */
  public void awaitNext(Duration wait) throws InterruptedException {
    if (!started.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      synchronized (seen) {
        throw new AssertionError("no transfer started within " + wait + "; seen: " + seen);
      }
    }
  }
}
