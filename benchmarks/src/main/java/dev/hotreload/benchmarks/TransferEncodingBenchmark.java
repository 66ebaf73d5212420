package dev.hotreload.benchmarks;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentProtocol.Encoding;
import dev.hotreload.core.agent.AgentProtocol;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.examples.HelloApp;
import dev.hotreload.spi.BuildRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

/**
 * Preparing one reload's payload for the agent from a real binary — the hello example built
 * twice, before and after an edit of its greeting — and writing it out: {@code identity} streams
 * the file (the baseline), {@code gzip} compresses it at level 1, {@code delta} computes the
 * copy/insert operations against the previous build and gzips them. The bytes each puts on the
 * wire go to {@code HOTRELOAD_BENCH_COMPONENTS} (JSON lines) for the report.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TransferEncodingBenchmark {
  @Param({"identity", "gzip", "delta"})
  public String encoding;

  private Artifact previous;
  private Artifact current;
  private byte[] previousBytes;
  private long wireBytes;

  @Setup(Level.Trial)
  public void buildTwice() throws Exception {
    Path workspace = HelloApp.copy();
    GoBuilder builder = GoBuilder.create();
    BuildRequest request = new BuildRequest(workspace, HelloApp.MAIN_PACKAGE,
        Platform.linuxHost());
    HelloApp.setGreeting(workspace, "Hello from the benchmark");
    previous = keep(builder.build(request), workspace.resolve("previous"));
    HelloApp.setGreeting(workspace, "Hello from the benchmark, after a longer edit");
    current = keep(builder.build(request), workspace.resolve("current"));
    previousBytes = Files.readAllBytes(previous.path());
  }

  private static Artifact keep(Artifact built, Path to) throws IOException {
    Files.copy(built.path(), to, StandardCopyOption.REPLACE_EXISTING);
    return new Artifact(to, built.sha256(), built.size(), built.platform(), built.importPath());
  }

  @Benchmark
  public long encodeAndWrite() throws IOException {
    AgentProtocol.Payload payload = encoding.equals("delta")
        ? AgentProtocol.deltaPayload(current, previousBytes, previous.sha256())
        : AgentProtocol.payload(current, Encoding.valueOf(encoding.toUpperCase()));
    payload.writeTo(OutputStream.nullOutputStream());
    wireBytes = payload.wireBytes();
    return wireBytes;
  }

  @TearDown(Level.Trial)
  public void report() throws IOException {
    ComponentFigures.append("TransferEncodingBenchmark", "encoding=" + encoding,
        wireBytes, current.size());
  }
}
