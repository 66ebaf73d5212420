package dev.hotreload;

import java.util.Objects;

/**
 * A levelled diagnostic message, after Jib's {@code LogEvent}: the library logs through listeners
 * instead of a logging framework.
 *
 * @param level how important it is
 * @param message the text
 */
public record LogEvent(Level level, String message) {

  /** How important a message is. */
  public enum Level {
    /** Detail for troubleshooting. */
    DEBUG,
    /** Normal progress. */
    INFO,
    /** Something the developer should know; the session goes on. */
    WARN,
    /** Something failed. */
    ERROR
  }

  /** Checks the fields. */
  public LogEvent {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
  }

  /**
   * A DEBUG message.
   *
   * @param message the text
   * @return the event
   */
  public static LogEvent debug(String message) {
    return new LogEvent(Level.DEBUG, message);
  }

  /**
   * An INFO message.
   *
   * @param message the text
   * @return the event
   */
  public static LogEvent info(String message) {
    return new LogEvent(Level.INFO, message);
  }

  /**
   * A WARN message.
   *
   * @param message the text
   * @return the event
   */
  public static LogEvent warn(String message) {
    return new LogEvent(Level.WARN, message);
  }

  /**
   * An ERROR message.
   *
   * @param message the text
   * @return the event
   */
  public static LogEvent error(String message) {
    return new LogEvent(Level.ERROR, message);
  }
}
