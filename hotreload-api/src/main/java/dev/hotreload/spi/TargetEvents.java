package dev.hotreload.spi;

import dev.hotreload.LogEvent;
import java.util.List;

/**
 * What a target reports back to the session. Implemented by the engine; every method is
 * thread-safe, fast and never throws.
 */
public interface TargetEvents {

  /** Discards everything. */
  TargetEvents NONE = new TargetEvents() {};

  /**
   * New destinations appeared (a pod started, a container restarted with a fresh filesystem) and
   * need the current binary. The session delivers it to them without a rebuild.
   *
   * @param added the new destinations
   */
  default void destinationsAdded(List<Destination> added) {}

  /**
   * A line the application printed.
   *
   * @param destination where it runs
   * @param line the line, without its line break
   */
  default void output(Destination destination, String line) {}

  /**
   * A diagnostic message of the target.
   *
   * @param event the message
   */
  default void log(LogEvent event) {}
}
