package dev.hotreload.spi;

import dev.hotreload.Platform;
import java.io.IOException;

/**
 * Delivers a binary into one destination and returns once the new binary runs there.
 *
 * <p>Implementations must be thread-safe: the session delivers to several destinations in
 * parallel. {@link #transfer} blocks; it must honour thread interruption (the session interrupts
 * it when it closes) and the request's timeout. A failed delivery must leave the destination
 * running its previous binary.
 */
@FunctionalInterface
public interface Transport {

  /**
   * Sends the artifact, swaps it in and restarts the process.
   *
   * @param request what to send where; call {@link TransferRequest#progress()} once all bytes
   *     are out so the session can split transfer from restart time
   * @return bytes on the wire and the restart time the destination reported
   * @throws IOException if the bytes could not be delivered or the destination refused them;
   *     throw {@link dev.hotreload.RestartFailedException} when they arrived but the new binary
   *     would not start
   */
  TransferResult transfer(TransferRequest request) throws IOException;

  /**
   * Whether this transport can deliver to the destinations of this target. The session uses the
   * first transport (set in the builder, then found by {@code ServiceLoader}) that supports the
   * target.
   *
   * @param target the session's target
   * @param platform the platform built for
   * @return true if it can deliver there
   */
  default boolean supports(Target target, Platform platform) {
    return true;
  }
}
