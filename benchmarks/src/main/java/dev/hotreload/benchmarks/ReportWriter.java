package dev.hotreload.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * Turns a results directory into what a person reads: {@code README.md} with one table row per
 * end-to-end configuration (median, p95, min, max, ratio to {@code agent} from the same file,
 * the phase split, bytes on the wire, memory) and a table of the other benchmarks, plus {@code
 * latency.png}, the medians by configuration stacked by phase. The data files stay beside them.
 *
 * <pre>
 * ReportWriter &lt;results directory&gt;   (reads jmh.json, phases.jsonl and machine.txt if there)
 * </pre>
 */
public final class ReportWriter {
  static final String E2E = "ReloadLatencyBenchmark.editToAnswer";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Phases in the order a reload (or a rollout) goes through them. */
  private static final List<String> PHASE_ORDER = List.of("CHANGE_DETECTED", "BUILD", "IMAGE",
      "KO_BUILD", "TRANSFER", "ROLLOUT", "RESTART", "READY");
  private static final Map<String, Color> COLORS = Map.of(
      "CHANGE_DETECTED", new Color(0x9e9e9e), "BUILD", new Color(0x4e79a7),
      "IMAGE", new Color(0x76b7b2), "KO_BUILD", new Color(0x9c755f),
      "TRANSFER", new Color(0xf28e2b),
      "ROLLOUT", new Color(0xb07aa1), "RESTART", new Color(0xe15759),
      "READY", new Color(0x59a14f), "other", new Color(0xd9d9d9));

  private ReportWriter() {}

  /** One end-to-end configuration: mode, replicas, link. */
  record Config(String mode, int replicas, String link) {
    String label() {
      return mode + " ×" + replicas + (link.equals("direct") ? "" : " @" + link);
    }
  }

  /** What the tables and the chart show for one configuration. */
  record Row(Config config, List<Double> samples, Map<String, Double> phaseMedians,
      double medianMinusBuild, double bytesSentMedian, double bytesRaw, double heapMax,
      double rssFirst, double rssLast, int phaseSamples) {
    double median() {
      return percentile(samples, 50);
    }
  }

  /**
   * Writes the report.
   *
   * @param args the results directory
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ReportWriter <results directory>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    if (!Files.isRegularFile(dir.resolve("jmh.json"))) {
      System.err.println("ReportWriter: " + dir.resolve("jmh.json") + " does not exist: run "
          + "benchmarks/run first");
      System.exit(2);
    }
    write(dir);
    System.out.println("report: " + dir.resolve("README.md") + ", " + dir.resolve("latency.png"));
  }

  /**
   * Reads the data files in {@code dir} and writes {@code README.md} and {@code latency.png}.
   *
   * @param dir the results directory
   * @throws IOException if a file cannot be read or written
   */
  static void write(Path dir) throws IOException {
    JsonNode jmh = JSON.readTree(dir.resolve("jmh.json").toFile());
    List<JsonNode> samples = readSamples(dir.resolve("phases.jsonl"));
    List<Row> rows = rows(jmh, samples);
    StringBuilder md = new StringBuilder("# Benchmark results: ")
        .append(dir.getFileName()).append("\n\n");
    Path machine = dir.resolve("machine.txt");
    if (Files.isRegularFile(machine)) {
      md.append("```\n").append(Files.readString(machine).strip()).append("\n```\n\n");
    }
    if (!rows.isEmpty()) {
      md.append(endToEndTable(rows));
      md.append("\n![latency by mode, phases stacked](latency.png)\n\n");
      ImageIO.write(chart(rows), "png", dir.resolve("latency.png").toFile());
    }
    md.append(otherTable(jmh));
    md.append(sizesTable(readSamples(dir.resolve("components.jsonl"))));
    md.append("\nData: `jmh.json` (JMH), `phases.jsonl` (one line per sample: phases in ms, bytes, "
        + "heap, RSS), `components.jsonl` (sizes). Regenerate this file with "
        + "`java -cp benchmarks/target/benchmarks.jar dev.hotreload.benchmarks.ReportWriter "
        + "<this directory>`.\n");
    Files.writeString(dir.resolve("README.md"), md);
  }

  private static List<JsonNode> readSamples(Path file) throws IOException {
    List<JsonNode> samples = new ArrayList<>();
    if (Files.isRegularFile(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          samples.add(JSON.readTree(line));
        }
      }
    }
    return samples;
  }

  static List<Row> rows(JsonNode jmh, List<JsonNode> allSamples) {
    List<Row> rows = new ArrayList<>();
    for (JsonNode result : jmh) {
      if (!result.path("benchmark").asText().endsWith(E2E)) {
        continue;
      }
      JsonNode params = result.path("params");
      Config config = new Config(params.path("mode").asText(), params.path("replicas").asInt(1),
          params.path("link").asText("direct"));
      List<Double> raw = new ArrayList<>();
      for (JsonNode fork : result.path("primaryMetric").path("rawData")) {
        fork.forEach(v -> raw.add(v.asDouble()));
      }
      List<JsonNode> mine = allSamples.stream()
          .filter(s -> !s.path("warmup").asBoolean())
          .filter(s -> s.path("mode").asText().equals(config.mode())
              && s.path("replicas").asInt() == config.replicas()
              && s.path("link").asText().equals(config.link()))
          .toList();
      Set<String> names = new LinkedHashSet<>(PHASE_ORDER);
      mine.forEach(s -> s.path("phases").fieldNames().forEachRemaining(names::add));
      Map<String, Double> phaseMedians = new LinkedHashMap<>();
      for (String name : names) {
        List<Double> values = mine.stream().filter(s -> s.path("phases").has(name))
            .map(s -> s.path("phases").path(name).asDouble()).toList();
        if (!values.isEmpty()) {
          phaseMedians.put(name, percentile(values, 50));
        }
      }
      List<Double> minusBuild = mine.stream().filter(s -> s.path("phases").has("BUILD"))
          .map(s -> s.path("totalMs").asDouble() - s.path("phases").path("BUILD").asDouble())
          .toList();
      List<Double> sent = mine.stream().map(s -> s.path("bytesSent").asDouble())
          .filter(b -> b >= 0).toList();
      List<Double> rss = mine.stream().map(s -> s.path("rssMb").asDouble()).toList();
      rows.add(new Row(config, raw, phaseMedians,
          minusBuild.isEmpty() ? Double.NaN : percentile(minusBuild, 50),
          sent.isEmpty() ? Double.NaN : percentile(sent, 50),
          mine.isEmpty() ? Double.NaN : mine.get(0).path("bytesRaw").asDouble(),
          mine.stream().mapToDouble(s -> s.path("heapUsedMb").asDouble()).max().orElse(Double.NaN),
          rss.isEmpty() ? Double.NaN : rss.get(0),
          rss.isEmpty() ? Double.NaN : rss.get(rss.size() - 1), mine.size()));
    }
    return rows;
  }

  static String endToEndTable(List<Row> rows) {
    StringBuilder md = new StringBuilder("## Save → new answer (ms)\n\n"
        + "One sample: the greeting saved until the service answers with it through a "
        + "port-forward (every replica reloaded). Ratio: this median ÷ `agent`'s median with the "
        + "same replicas and link in this run.\n\n"
        + "| mode | replicas | link | n | median | p95 | min | max | ÷ agent | median − build "
        + "| phase medians | bytes on the wire (median) | heap max MB | RSS first→last MB |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      Config c = row.config();
      Double agent = rows.stream()
          .filter(r -> r.config().mode().equals("agent") && r.config().replicas() == c.replicas()
              && r.config().link().equals(c.link()))
          .map(Row::median).findFirst().orElse(null);
      String ratio = agent == null || c.mode().equals("agent") ? "—"
          : String.format(Locale.ROOT, "%.2f×", row.median() / agent);
      String phases = row.phaseMedians().entrySet().stream()
          .map(e -> e.getKey().toLowerCase(Locale.ROOT) + " " + fmt(e.getValue()))
          .collect(Collectors.joining(", "));
      String bytes = Double.isNaN(row.bytesSentMedian()) ? "—"
          : String.format(Locale.ROOT, "%,.0f (%.0f %% of %,.0f)", row.bytesSentMedian(),
              100 * row.bytesSentMedian() / row.bytesRaw(), row.bytesRaw());
      md.append(String.format(Locale.ROOT,
          "| %s | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          c.mode(), c.replicas(), c.link(), row.samples().size(), fmt(row.median()),
          fmt(percentile(row.samples(), 95)), fmt(Collections.min(row.samples())),
          fmt(Collections.max(row.samples())), ratio, fmt(row.medianMinusBuild()),
          phases.isEmpty() ? "—" : phases, bytes, fmt(row.heapMax()),
          Double.isNaN(row.rssFirst()) ? "—" : fmt(row.rssFirst()) + "→" + fmt(row.rssLast())));
    }
    return md.toString();
  }

  static String otherTable(JsonNode jmh) {
    StringBuilder md = new StringBuilder();
    // GoBuildBenchmark's baseline: the median of builder=go-build for the same other params
    Map<String, Double> goBuildMedians = new HashMap<>();
    for (JsonNode result : jmh) {
      if ("go-build".equals(result.path("params").path("builder").asText())) {
        goBuildMedians.put(withoutBuilder(result), median(result));
      }
    }
    for (JsonNode result : jmh) {
      String benchmark = result.path("benchmark").asText();
      if (benchmark.endsWith(E2E)) {
        continue;
      }
      if (md.isEmpty()) {
        md.append("## Other benchmarks\n\n| benchmark | params | mode | score | ± error | unit "
            + "| p50 | p95 | p50 ÷ go-build |\n|---|---|---|---|---|---|---|---|---|\n");
      }
      JsonNode metric = result.path("primaryMetric");
      List<String> params = new ArrayList<>();
      result.path("params").properties().forEach(e -> params.add(e.getKey() + "="
          + e.getValue().asText()));
      JsonNode pct = metric.path("scorePercentiles");
      Double baseline = result.path("params").has("builder")
          ? goBuildMedians.get(withoutBuilder(result)) : null;
      String ratio = baseline == null ? "—"
          : String.format(Locale.ROOT, "%.2f×", median(result) / baseline);
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1),
          params.isEmpty() ? "—" : String.join(", ", params), result.path("mode").asText(),
          fmt(metric.path("score").asDouble()), fmt(metric.path("scoreError").asDouble()),
          metric.path("scoreUnit").asText(),
          pct.has("50.0") ? fmt(pct.path("50.0").asDouble()) : "—",
          pct.has("95.0") ? fmt(pct.path("95.0").asDouble()) : "—", ratio));
      for (Map.Entry<String, JsonNode> e : result.path("secondaryMetrics").properties()) {
        md.append(String.format(Locale.ROOT, "| ↳ %s | | | %s | %s | %s | | | |%n", e.getKey(),
            fmt(e.getValue().path("score").asDouble()),
            fmt(e.getValue().path("scoreError").asDouble()),
            e.getValue().path("scoreUnit").asText()));
      }
    }
    return md.toString();
  }

  private static String withoutBuilder(JsonNode result) {
    List<String> params = new ArrayList<>();
    result.path("params").properties().forEach(e -> {
      if (!e.getKey().equals("builder")) {
        params.add(e.getKey() + "=" + e.getValue().asText());
      }
    });
    return result.path("benchmark").asText() + " " + params;
  }

  private static double median(JsonNode result) {
    JsonNode metric = result.path("primaryMetric");
    JsonNode p50 = metric.path("scorePercentiles").path("50.0");
    return p50.isMissingNode() ? metric.path("score").asDouble() : p50.asDouble();
  }

  static String sizesTable(List<JsonNode> figures) {
    if (figures.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("\n## Sizes measured beside the times\n\n"
        + "| benchmark | params | bytes | of | % |\n|---|---|---|---|---|\n");
    for (JsonNode f : figures) {
      double bytes = f.path("bytes").asDouble();
      double of = f.path("ofBytes").asDouble();
      md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.1f %% |%n",
          f.path("benchmark").asText(), f.path("params").asText(), bytes, of,
          100 * bytes / of));
    }
    return md.toString();
  }

  /** Horizontal bars, one per configuration, as long as its median, split by phase medians. */
  static BufferedImage chart(List<Row> rows) {
    int labelWidth = 230;
    int plotWidth = 760;
    int rowHeight = 30;
    int top = 80;
    int width = labelWidth + plotWidth + 90;
    int height = top + rows.size() * rowHeight + 50;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("Save → new answer, median ms, split by phase medians", 12, 22);

    List<String> legend = new ArrayList<>(PHASE_ORDER);
    legend.add("other");
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int x = 12;
    for (String name : legend) {
      g.setColor(COLORS.get(name));
      g.fillRect(x, 36, 12, 12);
      g.setColor(Color.DARK_GRAY);
      String text = name.toLowerCase(Locale.ROOT).replace('_', ' ');
      g.drawString(text, x + 16, 47);
      x += 22 + g.getFontMetrics().stringWidth(text);
    }

    double max = rows.stream().mapToDouble(Row::median).max().orElse(1);
    double step = niceStep(max / 6);
    double scaleMax = Math.ceil(max / step) * step;
    int plotBottom = top + rows.size() * rowHeight;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (double tick = 0; tick <= scaleMax + 1e-9; tick += step) {
      int tx = labelWidth + (int) Math.round(tick / scaleMax * plotWidth);
      g.setColor(new Color(0xeeeeee));
      g.drawLine(tx, top - 6, tx, plotBottom);
      g.setColor(Color.DARK_GRAY);
      String label = fmt(tick);
      g.drawString(label, tx - g.getFontMetrics().stringWidth(label) / 2, plotBottom + 16);
    }
    g.drawString("ms", labelWidth + plotWidth + 20, plotBottom + 16);

    FontMetrics labels = g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      int y = top + i * rowHeight;
      g.setFont(labels.getFont());
      g.setColor(Color.BLACK);
      String label = row.config().label();
      g.drawString(label, labelWidth - 10 - labels.stringWidth(label), y + 18);
      double median = row.median();
      Map<String, Double> segments = new LinkedHashMap<>();
      double sum = row.phaseMedians().values().stream().mapToDouble(Double::doubleValue).sum();
      double scale = sum > median ? median / sum : 1;
      row.phaseMedians().forEach((name, value) -> segments.put(name, value * scale));
      segments.put("other", Math.max(0, median - sum * scale));
      double at = 0;
      for (Map.Entry<String, Double> s : segments.entrySet()) {
        int x0 = labelWidth + (int) Math.round(at / scaleMax * plotWidth);
        at += s.getValue();
        int x1 = labelWidth + (int) Math.round(at / scaleMax * plotWidth);
        g.setColor(COLORS.getOrDefault(s.getKey(), new Color(0xbab0ac)));
        g.fillRect(x0, y + 4, Math.max(0, x1 - x0), rowHeight - 8);
      }
      g.setColor(Color.BLACK);
      g.setStroke(new BasicStroke(1));
      int end = labelWidth + (int) Math.round(median / scaleMax * plotWidth);
      g.drawString(fmt(median), end + 6, y + 18);
    }
    g.setColor(Color.GRAY);
    g.drawLine(labelWidth, top - 6, labelWidth, plotBottom);
    g.dispose();
    return image;
  }

  private static double niceStep(double raw) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (raw <= m * magnitude) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  /** Nearest-rank percentile. */
  static double percentile(List<Double> values, int percent) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static String fmt(double value) {
    if (Double.isNaN(value)) {
      return "—";
    }
    return Math.abs(value) >= 100 || value == Math.rint(value)
        ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
  }
}
