package dev.hotreload;

/**
 * A phase did not finish because its reload was superseded by newer changes or the session
 * closed. Not an error of the developer's code: listeners usually just note it.
 */
public class ReloadCanceledException extends HotReloadException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why, for example "superseded by #4"
   * @param phase the phase that was cut short
   */
  public ReloadCanceledException(String message, Phase phase) {
    super(message, phase, null, null, null, null);
  }
}
