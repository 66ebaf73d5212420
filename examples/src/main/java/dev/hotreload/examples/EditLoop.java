package dev.hotreload.examples;

import dev.hotreload.Phase;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.event.ReloadListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * Edits the hello example's greeting N times, as a developer saving the file would, and after
 * each save polls the service until the new text comes back: one sample is save → new answer.
 * Prints median, p95, min and max, and the median of each phase from the session's reports.
 */
final class EditLoop {
  private final BuildEnds builds = new BuildEnds();
  private final List<Long> samples = new ArrayList<>();
  private final Map<Phase, List<Long>> phases = new EnumMap<>(Phase.class);
  private double rssFirstMb = -1;
  private double rssLastMb = -1;

  /**
   * Runs the edits.
   *
   * @param session the running session
   * @param main the file holding {@code const greeting}
   * @param port where the service answers on this machine, asked before every poll
   * @param edits how many
   * @throws Exception if an edit is not served within 2 minutes
   */
  /**
   * What the session must be given as a listener: the loop polls the service only once the
   * build of its edit ended.
   *
   * @return the listener
   */
  ReloadListener listener() {
    return builds;
  }

  void run(Session session, Path main, IntSupplier port, int edits) throws Exception {
    String source = Files.readString(main);
    rssFirstMb = rssMb();
    for (int i = 1; i <= edits; i++) {
      String text = "Hello from hotreload edit " + i + " at " + System.nanoTime();
      long seen = session.lastSequence();
      long start = System.nanoTime();
      long built = builds.count();
      HelloApp.save(main, source.replaceFirst("const greeting = \".*\"",
          "const greeting = \"" + text + "\""));
      builds.awaitAfter(built, Duration.ofMinutes(2)); // see BuildEnds
      while (!text.equals(get(port.getAsInt()))) {
        if (System.nanoTime() - start > Duration.ofMinutes(2).toNanos()) {
          throw new IllegalStateException("edit " + i + " was not served within 2 minutes; "
              + "last reports: " + session.history().subList(
                  Math.max(0, session.history().size() - 3), session.history().size()));
        }
        Thread.sleep(2);
      }
      samples.add(System.nanoTime() - start);
      ReloadReport report = session.awaitReloadAfter(seen, Duration.ofSeconds(30));
      report.phases().forEach((phase, d) ->
          phases.computeIfAbsent(phase, p -> new ArrayList<>()).add(d.toNanos()));
    }
  }

  /**
   * Writes the figures as one JSON object: for a soak, what a long run did to latency and
   * memory.
   *
   * @param file where to write
   * @param what the mode, as printed
   * @param session the session, whose history says how many reloads failed
   * @throws IOException if writing fails
   */
  void writeJson(Path file, String what, Session session) throws IOException {
    rssLastMb = rssMb();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("date", java.time.Instant.now().toString());
    out.put("mode", what);
    out.put("edits", samples.size());
    out.put("everyEditServed", true); // run() throws on an edit not served within 2 minutes
    out.put("reloads", session.history().size());
    out.put("reloadsFailed", session.history().stream().filter(r -> !r.succeeded()).count());
    out.put("medianMs", ms(median(samples)));
    out.put("p95Ms", ms(percentile(samples, 95)));
    out.put("p99Ms", ms(percentile(samples, 99)));
    out.put("maxMs", ms(Collections.max(samples)));
    out.put("minMs", ms(Collections.min(samples)));
    Map<String, Double> phaseMedians = new LinkedHashMap<>();
    phases.forEach((phase, values) ->
        phaseMedians.put(phase.name().toLowerCase(Locale.ROOT), ms(median(values))));
    out.put("phaseMediansMs", phaseMedians);
    out.put("rssFirstMb", rssFirstMb);
    out.put("rssLastMb", rssLastMb);
    Runtime runtime = Runtime.getRuntime();
    out.put("heapUsedLastMb", (runtime.totalMemory() - runtime.freeMemory()) / 1048576.0);
    Files.createDirectories(file.toAbsolutePath().getParent());
    new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValue(file.toFile(), out);
  }

  static double rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return -1;
  }

  /** Prints the figures. */
  void print(String what) {
    StringBuilder split = new StringBuilder();
    phases.forEach((phase, values) -> split.append(String.format(Locale.ROOT, "%s %.0f ms, ",
        phase.name().toLowerCase(Locale.ROOT), ms(median(values)))));
    System.out.printf(Locale.ROOT,
        "%n%s: edit→served over %d edits: median %.0f ms, p95 %.0f ms, min %.0f ms, max %.0f ms"
            + "%nphase medians: %s%n",
        what, samples.size(), ms(median(samples)), ms(percentile(samples, 95)),
        ms(Collections.min(samples)), ms(Collections.max(samples)),
        split.length() > 2 ? split.substring(0, split.length() - 2) : "none");
  }

  /** One GET that sees a restart; see {@link HelloApp#get(int)}. */
  String get(int port) {
    return HelloApp.get(port);
  }

  /** Copies a workspace so the demo's edits never touch the repository. */
  static Path copy(Path source) throws IOException {
    Path target = Files.createTempDirectory("hotreload-demo-");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path to = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return target;
  }

  static long median(List<Long> values) {
    return percentile(values, 50);
  }

  static long percentile(List<Long> values, int percent) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
