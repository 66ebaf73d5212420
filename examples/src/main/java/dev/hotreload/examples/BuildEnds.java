package dev.hotreload.examples;

import dev.hotreload.Artifact;
import dev.hotreload.HotReloadException;
import dev.hotreload.Reload;
import dev.hotreload.event.ReloadListener;
import java.time.Duration;

/**
 * Counts a session's finished builds, so that a scenario polls the service only once there is a
 * new binary that could answer. Polling through a port-forward every 2 ms while the build runs
 * takes the API server, the kubelet and this JVM away from the compiler and linker on a 2-core
 * machine (it made the agent's build phase ≈ 100 ms slower than the same build alone); the
 * served answer cannot change before the build ends, so the measured time is the same.
 */
public final class BuildEnds extends ReloadListener {
  private long ended;

  @Override
  public synchronized void buildEnd(Reload reload, Artifact artifact) {
    ended++;
    notifyAll();
  }

  @Override
  public synchronized void buildFailed(Reload reload, HotReloadException failure) {
    ended++;
    notifyAll();
  }

  /**
   * Builds ended so far.
   *
   * @return the count
   */
  public synchronized long count() {
    return ended;
  }

  /**
   * Waits until a build after {@code seen} ended, or the limit passed (the poll that follows
   * then reports what the service answers).
   *
   * @param seen the count before the edit
   * @param limit how long at most
   * @throws InterruptedException if interrupted
   */
  public synchronized void awaitAfter(long seen, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (ended <= seen) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
