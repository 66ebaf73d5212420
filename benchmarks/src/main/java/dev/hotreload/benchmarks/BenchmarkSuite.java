package dev.hotreload.benchmarks;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the whole benchmark suite in one of two profiles and writes every result into one JMH JSON
 * file, so the report compares modes measured in the same run on the same cluster.
 *
 * <pre>
 * BenchmarkSuite quick|full &lt;results directory&gt; [only-regexp]
 * </pre>
 *
 * {@code quick} finishes in about a quarter of an hour on a 2-core machine; {@code full} takes
 * more samples, adds the 100-reload memory session and takes about an hour. The optional regexp
 * keeps only the runs whose name matches (e.g. {@code agent}). Each run is one JMH invocation;
 * one that fails is reported at the end and makes the suite exit 1, the others still run.
 */
public final class BenchmarkSuite {
  private BenchmarkSuite() {}

  /**
   * One JMH invocation of the suite.
   *
   * @param name what the run is called in the log
   * @param include the benchmark regexp
   * @param params JMH params as name=value
   * @param warmups warm-up iterations, -1 for the benchmark's own
   * @param iterations measurement iterations, -1 for the benchmark's own
   */
  record Spec(String name, String include, List<String> params, int warmups, int iterations) {
    static Spec e2e(String mode, int replicas, String link, int warmups, int iterations) {
      return new Spec(mode + " x" + replicas + " " + link,
          ReloadLatencyBenchmark.class.getSimpleName(),
          List.of("mode=" + mode, "replicas=" + replicas, "link=" + link), warmups, iterations);
    }

    static Spec component(String benchmark) {
      return new Spec(benchmark, benchmark, List.of(), -1, -1);
    }
  }

  /**
   * The runs of a profile.
   *
   * @param profile quick or full
   * @return the runs in order
   */
  static List<Spec> profile(String profile) {
    boolean full = switch (profile) {
      case "quick" -> false;
      case "full" -> true;
      default -> throw new IllegalArgumentException(
          "profile '" + profile + "' is not quick or full");
    };
    int n = full ? 3 : 1;
    List<Spec> specs = new ArrayList<>(List.of(
        Spec.e2e("agent", 1, "direct", 2, full ? 30 : 12),
        Spec.e2e("watchexec-tar", 1, "direct", 1, full ? 30 : 6),
        Spec.e2e("rebuild-rollout", 1, "direct", 1, full ? 10 : 4),
        Spec.e2e("ko-rollout", 1, "direct", 1, full ? 10 : 3),
        Spec.e2e("local-process", 1, "direct", 2, full ? 30 : 10),
        Spec.e2e("docker-container", 1, "direct", 2, full ? 30 : 12),
        Spec.e2e("k3s", 1, "direct", 2, full ? 30 : 12),
        Spec.e2e("agent", 3, "direct", 1, 5 * n),
        Spec.e2e("agent", 10, "direct", 1, 4 * n),
        Spec.e2e("rebuild-rollout", 3, "direct", 1, full ? 5 : 3),
        Spec.e2e("rebuild-rollout", 10, "direct", 1, full ? 5 : 2),
        Spec.e2e("agent", 1, "20mbit", 1, 5 * n),
        Spec.e2e("watchexec-tar", 1, "20mbit", 1, 3 * n),
        Spec.e2e("rebuild-rollout", 1, "20mbit", 1, 3 * n)));
    if (full) {
      // One long session: the library's heap and RSS over 100 reloads go to the samples file.
      specs.add(Spec.e2e("agent", 1, "direct", 0, 100));
    }
    for (String component : List.of("TransferEncodingBenchmark", "ManifestRewriteBenchmark",
        "GoBuildBenchmark")) {
      specs.add(Spec.component(component));
    }
    return specs;
  }

  /**
   * Runs a profile.
   *
   * @param args the profile, the results directory, optionally a regexp on the run names
   * @throws Exception if the results cannot be written
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: BenchmarkSuite quick|full <results directory> [only-regexp]");
      System.exit(2);
    }
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    List<Spec> specs = profile(args[0]).stream()
        .filter(s -> args.length < 3 || s.name().matches("(?i).*(" + args[2] + ").*"))
        .toList();
    List<RunResult> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (Spec spec : specs) {
      System.out.printf(Locale.ROOT, "%n== %s ==%n", spec.name());
      ChainedOptionsBuilder options = new OptionsBuilder()
          .include("\\." + spec.include() + "\\.")
          .shouldFailOnError(true)
          .forks(1);
      for (String param : spec.params()) {
        int eq = param.indexOf('=');
        options.param(param.substring(0, eq), param.substring(eq + 1));
      }
      if (spec.warmups() >= 0) {
        options.warmupIterations(spec.warmups());
      }
      if (spec.iterations() >= 0) {
        options.measurementIterations(spec.iterations());
      }
      try {
        Collection<RunResult> run = new Runner(options.build()).run();
        if (run.isEmpty()) {
          failures.add(spec.name() + ": no result");
        }
        results.addAll(run);
      } catch (Exception e) {
        failures.add(spec.name() + ": " + e.getMessage());
      }
      // Written after every run: an interrupted suite still leaves what it measured.
      ResultFormatFactory.getInstance(ResultFormatType.JSON, out.resolve("jmh.json").toString())
          .writeOut(results);
    }
    try (PrintStream text = new PrintStream(out.resolve("jmh.txt").toFile(), "UTF-8")) {
      ResultFormatFactory.getInstance(ResultFormatType.TEXT, text).writeOut(results);
    }
    ResultFormatFactory.getInstance(ResultFormatType.TEXT, System.out).writeOut(results);
    if (!failures.isEmpty()) {
      System.err.println("\nThese runs failed:\n  " + String.join("\n  ", failures));
      System.exit(1);
    }
  }
}
