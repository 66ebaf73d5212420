package dev.hotreload.benchmarks.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotreload.examples.HelloApp;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starts a mode's scenario and records each sample's figures. */
public final class Scenarios {
  /** Where each sample's phase split goes, one JSON object a line; unset: nowhere. */
  public static final String SAMPLES_ENV = "HOTRELOAD_BENCH_SAMPLES";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");

  private Scenarios() {}

  /**
   * Starts a mode.
   *
   * @param mode agent, watchexec-tar, rebuild-rollout, ko-rollout, local-process,
   *     docker-container or k3s
   * @param replicas pods of the Deployment (cluster modes)
   * @param link direct or 20mbit
   * @return the running scenario
   * @throws Exception if it cannot start
   */
  public static Run start(String mode, int replicas, String link) throws Exception {
    if (mode.equals("local-process") || mode.equals("docker-container")
        || mode.equals("k3s")) {
      if (replicas != 1 || !link.equals("direct")) {
        throw new IllegalArgumentException(mode + " runs one replica on this machine: "
            + "use replicas=1 and link=direct, not " + replicas + " and " + link);
      }
      Scenario scenario = switch (mode) {
        case "local-process" -> new LocalProcessScenario();
        case "docker-container" -> new DockerContainerScenario();
        default -> new K3sScenario();
      };
      return new Run(scenario, mode, replicas, link, null);
    }
    Links.Link connection = Links.open(link);
    try {
      Scenario scenario = switch (mode) {
        case "agent" -> new HotReloadScenario(HelloApp.Mode.AGENT, replicas, connection);
        case "watchexec-tar" ->
            new HotReloadScenario(HelloApp.Mode.WATCHEXEC, replicas, connection);
        case "rebuild-rollout" -> new RebuildRolloutScenario(replicas, connection);
        case "ko-rollout" -> KoRolloutScenario.start(replicas, connection);
        default -> throw new IllegalArgumentException("mode '" + mode + "' is not one of agent, "
            + "watchexec-tar, rebuild-rollout, ko-rollout, local-process, docker-container, k3s");
      };
      return new Run(scenario, mode, replicas, link, connection);
    } catch (Exception | Error e) {
      connection.close();
      throw e;
    }
  }

  /** A started scenario: edits, and writes each sample's figures. */
  public static final class Run implements AutoCloseable {
    private final Scenario scenario;
    private final String mode;
    private final int replicas;
    private final String link;
    private final AutoCloseable connection;
    private final String samplesFile = System.getenv(SAMPLES_ENV);
    private final String tag = Long.toString(System.currentTimeMillis(), 36);
    private int edits;
    private long lastNanos;

    private Run(Scenario scenario, String mode, int replicas, String link,
        AutoCloseable connection) {
      this.scenario = scenario;
      this.mode = mode;
      this.replicas = replicas;
      this.link = link;
      this.connection = connection;
    }

    /**
     * One sample: a new greeting saved and served.
     *
     * @throws Exception if it is not served
     */
    public void edit() throws Exception {
      // The length changes from edit to edit, as real edits do: the data after the string
      // shifts and code addresses move, so a delta cannot get away with patching a few bytes.
      // The run's own tag keeps every binary new: a reproducible build of an edit an earlier
      // run made would find its image layer already in the registry and skip the push.
      String text = "Hello from " + mode + " " + tag + " edit " + ++edits + " "
          + "!".repeat(edits % 7 * 3);
      long start = System.nanoTime();
      scenario.editAndAwait(text);
      lastNanos = System.nanoTime() - start;
    }

    /**
     * Appends the last sample's figures to the samples file.
     *
     * @param warmup whether JMH counts it as warm-up
     * @throws Exception if the figures cannot be read or written
     */
    public void record(boolean warmup) throws Exception {
      if (samplesFile == null) {
        return;
      }
      Scenario.Figures figures = scenario.lastFigures();
      ObjectNode line = JSON.createObjectNode()
          .put("mode", mode).put("replicas", replicas).put("link", link)
          .put("warmup", warmup).put("edit", edits).put("totalMs", lastNanos / 1e6)
          .put("bytesSent", figures.bytesSent()).put("bytesRaw", figures.bytesRaw())
          .put("heapUsedMb", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
              / 1048576.0)
          .put("rssMb", rssMegabytes());
      ObjectNode phases = line.putObject("phases");
      figures.phases().forEach(phases::put);
      Files.writeString(Path.of(samplesFile), JSON.writeValueAsString(line) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static double rssMegabytes() throws IOException {
      Matcher m = VM_RSS.matcher(Files.readString(Path.of("/proc/self/status")));
      return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : -1;
    }

    @Override
    public void close() throws Exception {
      List<AutoCloseable> closing = connection == null ? List.of(scenario)
          : List.of(scenario, connection);
      Exception first = null;
      for (AutoCloseable c : closing) {
        try {
          c.close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }
}
