package dev.hotreload.spi;

import java.io.IOException;

/**
 * Delivers a binary into one destination and returns once the new binary runs there.
 *
 * <p>A session uses the transport set in its builder, else the one its {@link Target} declares
 * ({@link Target#defaultTransport()}); a transport may reject a destination of a kind it does not
 * know with an {@link IOException} that names it.
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
   * Whether {@link #transferData} works: the transport can put a changed {@code kodata/}
   * directory into a destination without a new binary.
   *
   * @return false unless the transport overrides {@link #transferData}
   */
  default boolean transfersData() {
    return false;
  }

  /**
   * Replaces the data directory the destination's app reads through {@code KO_DATA_PATH} with
   * the request's directory, and restarts the app if asked; the binary stays.
   *
   * @param request the directory, where, whether to restart
   * @return bytes on the wire and the restart time
   * @throws IOException if the data could not be delivered; the app keeps its data
   */
  default TransferResult transferData(DataRequest request) throws IOException {
    throw new IOException(getClass().getSimpleName() + " cannot deliver a kodata directory to "
        + request.destination().id() + ": edits under kodata/ need a redeploy with it");
  }
}
