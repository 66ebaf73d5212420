package dev.hotreload.spi;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Decides when a restarted process is ready, after Testcontainers' {@code WaitStrategy}.
 *
 * <p>Thread-safe: the session checks several destinations in parallel.
 */
@FunctionalInterface
public interface ReadinessCheck {

  /**
   * Blocks until the destination is ready.
   *
   * @param destination the destination just restarted
   * @param timeout the longest to wait
   * @throws TimeoutException if it was not ready in time
   * @throws IOException if it cannot be checked
   * @throws InterruptedException if interrupted while waiting
   */
  void await(Destination destination, Duration timeout)
      throws IOException, TimeoutException, InterruptedException;
}
