package dev.hotreload.spi;

import dev.hotreload.Artifact;
import java.time.Duration;
import java.util.Objects;

/**
 * One delivery of an artifact to a destination.
 *
 * @param artifact the binary
 * @param destination where it goes
 * @param timeout the longest the whole delivery, restart included, may take
 * @param progress told when the last byte has been sent
 * @param order where the artifact stands among the session's builds; a destination that runs
 *     a newer one of the same session keeps it
 */
public record TransferRequest(Artifact artifact, Destination destination, Duration timeout,
    TransferProgress progress, Order order) {

  /**
   * A delivery with no order: the destination takes it whatever it runs.
   *
   * @param artifact the binary
   * @param destination where it goes
   * @param timeout the longest the whole delivery, restart included, may take
   * @param progress told when the last byte has been sent
   */
  public TransferRequest(Artifact artifact, Destination destination, Duration timeout,
      TransferProgress progress) {
    this(artifact, destination, timeout, progress, Order.NONE);
  }

  /** Checks the fields. */
  public TransferRequest {
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(progress, "progress");
  }

  /**
   * The place of an artifact among one session's builds, so that a destination never trades a
   * newer binary for an older one whatever order deliveries arrive in.
   *
   * @param session an id unique to the session
   * @param generation counts the session's builds up from 1; 0 means unordered
   */
  public record Order(String session, long generation) {
    /** No order: always installed. */
    public static final Order NONE = new Order("", 0);

    /** Checks the fields. */
    public Order {
      Objects.requireNonNull(session, "session");
      if (generation < 0) {
        throw new IllegalArgumentException("generation " + generation + " is negative");
      }
    }
  }

  /** Receives a transport's progress; thread-safe, fast, never throws. */
  @FunctionalInterface
  public interface TransferProgress {
    /** Ignores progress. */
    TransferProgress NONE = bytes -> {};

    /**
     * Every byte is out; what follows is the swap and restart.
     *
     * @param bytesSent bytes on the wire
     */
    void sent(long bytesSent);
  }
}
