package dev.hotreload.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What a delivery did.
 *
 * @param bytesSent bytes on the wire (compressed size when compressed)
 * @param restart the time from the swap request to the new process running, as the destination
 *     measured it
 * @param message a short note for the report, for example the new process id
 */
public record TransferResult(long bytesSent, Duration restart, String message) {
  /** Checks the fields. */
  public TransferResult {
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(message, "message");
  }
}
