package dev.hotreload.benchmarks;

import dev.hotreload.benchmarks.e2e.Scenarios;
import dev.hotreload.benchmarks.e2e.Scenarios.Run;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Save → new answer: the benchmark saves a new greeting in a copy of the hello example and polls
 * the service until it answers with it. One invocation is one sample ({@code SingleShotTime});
 * warm-up iterations are left out of the figures. Every mode runs against the same local cluster
 * and workload; the per-phase split of each sample goes to {@code HOTRELOAD_BENCH_SAMPLES}
 * (JSON lines) for the report.
 *
 * <p>Modes: {@code agent} (this project's default path), {@code watchexec-tar} (the seed
 * design), {@code rebuild-rollout} (new image, push, rollout: Skaffold's loop for ko apps),
 * {@code ko-rollout} (the real ko CLI plus {@code kubectl set image}), {@code local-process} (no
 * cluster: the floor). {@code link} is {@code direct} or {@code 20mbit} (the client's traffic to
 * the API server through a 20 Mbit/s, 20 ms RTT shaped link).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(1)
public class ReloadLatencyBenchmark {
  @Param({"agent", "watchexec-tar", "rebuild-rollout", "ko-rollout", "local-process",
      "docker-container", "k3s"})
  public String mode;

  @Param({"1"})
  public int replicas;

  @Param({"direct"})
  public String link;

  private Run run;

  @Setup(Level.Trial)
  public void start() throws Exception {
    run = Scenarios.start(mode, replicas, link);
  }

  @Benchmark
  public void editToAnswer() throws Exception {
    run.edit();
  }

  @TearDown(Level.Iteration)
  public void record(IterationParams iteration) throws Exception {
    run.record(iteration.getType() == IterationType.WARMUP);
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    run.close();
  }
}
