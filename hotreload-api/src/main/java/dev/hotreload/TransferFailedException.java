package dev.hotreload;

/** The binary could not be delivered to a destination, or the destination refused it. */
public class TransferFailedException extends HotReloadException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, where, and what to do
   * @param target the destination's id
   * @param platform the binary's platform, or null
   * @param spiClass the transport class, or null
   * @param cause the underlying error, or null
   */
  public TransferFailedException(
      String message, String target, Platform platform, Class<?> spiClass, Throwable cause) {
    super(message, Phase.TRANSFER, target, platform, spiClass, cause);
  }
}
