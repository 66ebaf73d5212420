package dev.hotreload;

/**
 * The new binary arrived but did not start or did not become ready; the destination keeps or
 * falls back to the previous binary where it can.
 */
public class RestartFailedException extends HotReloadException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, where, and what to do
   * @param phase {@link Phase#RESTART} or {@link Phase#READY}
   * @param target the destination's id
   * @param platform the binary's platform, or null
   * @param spiClass the transport or readiness class, or null
   * @param cause the underlying error, or null
   */
  public RestartFailedException(
      String message,
      Phase phase,
      String target,
      Platform platform,
      Class<?> spiClass,
      Throwable cause) {
    super(message, phase, target, platform, spiClass, cause);
  }
}
