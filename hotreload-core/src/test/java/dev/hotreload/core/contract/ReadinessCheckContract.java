package dev.hotreload.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.spi.Destination;
import dev.hotreload.spi.ReadinessCheck;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReadinessCheck} promises: it returns for a ready destination, gives up with
 * a {@link TimeoutException} near its timeout for one that never gets ready, and stops when
 * interrupted. Each implementation's test extends this.
 */
public abstract class ReadinessCheckContract {

  /** The check under test. */
  protected abstract ReadinessCheck check();

  /** A destination that is ready now. */
  protected abstract Destination readyDestination() throws Exception;

  /** A destination that never gets ready. */
  protected abstract Destination neverReadyDestination() throws Exception;

  @Test
  void readyDestination_returns() throws Exception {
    check().await(readyDestination(), Duration.ofSeconds(10));
  }

  @Test
  void neverReadyDestination_timesOutNearTheTimeout() throws Exception {
    Destination destination = neverReadyDestination();
    long start = System.nanoTime();

    assertThatThrownBy(() -> check().await(destination, Duration.ofMillis(500)))
        .isInstanceOf(TimeoutException.class);

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(400))
        .isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void interrupt_stopsTheWait() throws Exception {
    Destination destination = neverReadyDestination();
    AtomicReference<Throwable> ended = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      started.countDown();
      try {
        check().await(destination, Duration.ofSeconds(60));
      } catch (Throwable t) {
        ended.set(t);
      }
    });
    waiter.start();
    started.await();
    Thread.sleep(100);

    waiter.interrupt();
    waiter.join(TimeUnit.SECONDS.toMillis(5));

    assertThat(waiter.isAlive()).as("still waiting 5 s after the interrupt").isFalse();
    assertThat(ended.get()).isInstanceOf(InterruptedException.class);
  }
}
