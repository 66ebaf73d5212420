package dev.hotreload.benchmarks.e2e;

import dev.hotreload.examples.BuildEnds;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.examples.HelloApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.function.IntSupplier;

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
  record Figures(Map<String, Double> phases, long bytesSent, long bytesRaw) {

    /** The figures a session's report gives. */
    static Figures of(ReloadReport report) {
      Map<String, Double> phases = new LinkedHashMap<>();
      report.phases().forEach((phase, d) -> phases.put(phase.name(), d.toNanos() / 1e6));
      return new Figures(phases, report.bytesSent(), report.bytesRaw());
    }
  }

  /**
   * One edit of a mode that reloads through a session: saves the greeting in the session's
   * workspace, polls the port (from the end of the build on) until it answers with it, and
   * returns that reload's report.
   */
  static ReloadReport editThroughSession(Session session, BuildEnds builds, Path workspace,
      IntSupplier port, String text, String mode) throws Exception {
    long seen = session.lastSequence();
    long built = builds.count();
    HelloApp.setGreeting(workspace, text);
    builds.awaitAfter(built, Duration.ofMinutes(1));
    Poll.until(port, text, mode);
    return session.awaitReloadAfter(seen, Duration.ofMinutes(1));
  }
}
