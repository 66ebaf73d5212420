package dev.hotreload.benchmarks.e2e;

import dev.hotreload.examples.HelloApp;
import java.time.Duration;
import java.util.function.IntSupplier;

/** Polls the service until it answers with a text. */
final class Poll {
  private static final Duration LIMIT = Duration.ofMinutes(3);
  /**
   * A GET through the port-forward answers in 10-60 ms (its websocket opens in 40). About one
   * in ten samples, the first GET after the build got no answer at all (client-java's
   * port-forward, with or without the library's TCP_NODELAY; 500 ms waited for it): asked
   * again after this long, a lost request costs the sample at most this much.
   */
  private static final int GET_LIMIT_MILLIS = 150;

  private Poll() {}

  /**
   * Returns once a GET through {@code port} answers {@code text}.
   *
   * @param port where the service answers on this machine, asked before every GET
   * @param text the expected body
   * @param what names the mode in the error
   * @throws IllegalStateException if it does not within 3 minutes
   * @throws InterruptedException if interrupted
   */
  static void until(IntSupplier port, String text, String what) throws InterruptedException {
    long start = System.nanoTime();
    String last = null;
    while (!text.equals(last = HelloApp.get(port.getAsInt(), GET_LIMIT_MILLIS))) {
      if (System.nanoTime() - start > LIMIT.toNanos()) {
        throw new IllegalStateException(what + ": '" + text + "' was not served within "
            + LIMIT.toMinutes() + " minutes; the last answer was " + last);
      }
      Thread.sleep(2);
    }
  }
}
