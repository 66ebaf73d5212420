package dev.hotreload.benchmarks.e2e;

import java.util.Map;

/**
 * One way of getting an edit of the hello example to answer: started once per JMH trial, then
 * asked for one edit per iteration.
 */
interface Scenario extends AutoCloseable {
  /**
   * Saves {@code text} as the greeting and returns once it is served — by every replica, for the
   * modes that have several.
   *
   * @param text the new greeting
   * @throws Exception if it is not served in time
   */
  void editAndAwait(String text) throws Exception;

  /**
   * What the last {@link #editAndAwait} spent per phase, read after the clock stopped.
   *
   * @return phase name to milliseconds, plus bytes on the wire when the mode sends any
   * @throws Exception if the figures cannot be read
   */
  Figures lastFigures() throws Exception;

  /**
   * Per-phase times and bytes of one sample.
   *
   * @param phases phase name (a {@code dev.hotreload.Phase} or the mode's own step) to ms
   * @param bytesSent bytes on the wire, -1 when the mode cannot tell
   * @param bytesRaw size of the binary
   */
  record Figures(Map<String, Double> phases, long bytesSent, long bytesRaw) {}
}
