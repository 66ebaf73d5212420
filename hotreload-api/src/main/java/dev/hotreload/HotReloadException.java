package dev.hotreload;

import java.util.Optional;

/**
 * The base of every runtime failure of a reload. Carries where it happened so a message can say
 * which phase, which destination, which platform and which plug-in failed.
 */
public class HotReloadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Phase phase;
  private final String target;
  private final Platform platform;
  private final Class<?> spiClass;

  /**
   * Creates the exception.
   *
   * @param message what failed, where, and a hint at what to do
   * @param phase the phase that failed
   * @param target the destination or target it concerns, or null
   * @param platform the platform built for, or null
   * @param spiClass the implementation class that failed, or null
   * @param cause the underlying error, or null
   */
  public HotReloadException(
      String message,
      Phase phase,
      String target,
      Platform platform,
      Class<?> spiClass,
      Throwable cause) {
    super(message, cause);
    this.phase = phase;
    this.target = target;
    this.platform = platform;
    this.spiClass = spiClass;
  }

  /**
   * The phase that failed.
   *
   * @return the phase
   */
  public Phase getPhase() {
    return phase;
  }

  /**
   * The destination or target concerned.
   *
   * @return its id, if known
   */
  public Optional<String> getTarget() {
    return Optional.ofNullable(target);
  }

  /**
   * The platform built for.
   *
   * @return the platform, if known
   */
  public Optional<Platform> getPlatform() {
    return Optional.ofNullable(platform);
  }

  /**
   * The plug-in implementation that failed, like Jib's {@code getExtensionClass()}.
   *
   * @return its class, if known
   */
  public Optional<Class<?>> getSpiClass() {
    return Optional.ofNullable(spiClass);
  }
}
