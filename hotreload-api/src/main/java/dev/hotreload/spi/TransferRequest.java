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
 */
public record TransferRequest(
    Artifact artifact, Destination destination, Duration timeout, TransferProgress progress) {

  /** Checks the fields. */
  public TransferRequest {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(progress, "progress");
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
