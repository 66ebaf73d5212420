package dev.hotreload.benchmarks;

import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.examples.HelloApp;
import dev.hotreload.spi.BuildRequest;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code go build} alone for the edit the end-to-end benchmark makes (the hello example's
 * greeting, a different length each time): the floor every mode's latency sits on. {@code
 * stripped} is the library's default ({@code -ldflags=-s -w}); {@code debug} keeps the symbol
 * table and DWARF, as ko does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 8)
@Fork(1)
public class GoBuildBenchmark {
  @Param({"stripped", "debug"})
  public String flags;

  private Path workspace;
  private GoBuilder builder;
  private BuildRequest request;
  private int edits;

  @Setup(Level.Trial)
  public void prepare() throws Exception {
    workspace = HelloApp.copy();
    builder = GoBuilder.builder().debugInfo(flags.equals("debug"))
        .cacheDirectory(Files.createTempDirectory("hotreload-bench-gobuild-")).build();
    request = new BuildRequest(workspace, HelloApp.MAIN_PACKAGE, Platform.linuxHost());
    builder.build(request);
  }

  @Setup(Level.Invocation)
  public void edit() throws Exception {
    edits++;
    HelloApp.setGreeting(workspace, "Hello from build " + edits + " " + "!".repeat(edits % 7));
  }

  @Benchmark
  public long build() throws Exception {
    return builder.build(request).size();
  }
}
