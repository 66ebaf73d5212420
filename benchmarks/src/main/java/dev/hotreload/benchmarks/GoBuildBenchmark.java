package dev.hotreload.benchmarks;

import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.testing.GoHttpbin;
import dev.hotreload.core.testing.GoServiceWorkspace;
import dev.hotreload.examples.HelloApp;
import dev.hotreload.spi.BuildRequest;
import java.io.IOException;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The builder alone, for one edit per invocation: {@code builder=go-build} runs {@code go build}
 * every time, {@code builder=direct} the library's default (compile and link directly once
 * learned). Three workspaces: the hello example; a multi-package service ({@link
 * GoServiceWorkspace}: {@code leaf} edits a non-inlined body in the package three others import,
 * {@code export} an inlinable one, which recompiles all importers); and go-httpbin, fetched from
 * the Go module proxy at a pinned version ({@link GoHttpbin}: {@code handlers} is the issue's
 * one-line edit in httpbin/handlers.go, {@code leaf} one in httpbin/digest). ReportWriter puts
 * direct ÷ go-build beside each edit. {@code flags=debug} keeps the symbol table and DWARF, as ko
 * does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 15)
@Fork(1)
public class GoBuildBenchmark {
  // Named to sort before builder: JMH runs parameter combinations in the order of the sorted
  // names, so the two builders of one edit run one after the other and a slow minute of this
  // 2-core VM hits both sides of a ratio rather than one.
  @Param({"hello/main", "service/main", "service/leaf", "service/export", "httpbin/main",
      "httpbin/handlers", "httpbin/leaf"})
  public String appEdit;

  @Param({"go-build", "direct"})
  public String builder;

  @Param({"stripped"})
  public String flags;

  private Path workspace;
  private GoServiceWorkspace service;
  private GoHttpbin httpbin;
  private GoBuilder goBuilder;
  private BuildRequest request;
  /** Unique per run: see GoServiceWorkspace's counter, the same holds for these edits. */
  private int edits = (int) (System.nanoTime() % 1_000_000) * 1_000;
  private int fallbacks;
  private String lastFallback = "";

  @Setup(Level.Trial)
  public void prepare() throws Exception {
    String mainPackage;
    switch (appEdit.substring(0, appEdit.indexOf('/'))) {
      case "hello" -> {
        workspace = HelloApp.copy();
        mainPackage = HelloApp.MAIN_PACKAGE;
      }
      case "service" -> {
        service = GoServiceWorkspace.create(Files.createTempDirectory("hotreload-bench-svc-"));
        workspace = service.root();
        mainPackage = GoServiceWorkspace.MAIN_PACKAGE;
      }
      case "httpbin" -> {
        httpbin = GoHttpbin.copy(Files.createTempDirectory("hotreload-bench-httpbin-"));
        workspace = httpbin.root();
        mainPackage = GoHttpbin.MAIN_PACKAGE;
      }
      default -> throw new IllegalArgumentException("unknown workspace in appEdit=" + appEdit);
    }
    goBuilder = GoBuilder.builder().debugInfo(flags.equals("debug"))
        .direct(builder.equals("direct"))
        .cacheDirectory(Files.createTempDirectory("hotreload-bench-gobuild-")).build();
    request = new BuildRequest(workspace, mainPackage, Platform.linuxHost());
    goBuilder.build(request);
    goBuilder.build(request); // the direct builder has learned the build by now
  }

  @Setup(Level.Invocation)
  public void edit() throws IOException {
    edits++;
    switch (appEdit) {
      case "hello/main" -> HelloApp.setGreeting(workspace,
          "Hello from build " + edits + " " + "!".repeat(edits % 7));
      case "service/main" -> service.editMain();
      case "service/leaf" -> service.editLeafBody();
      case "service/export" -> service.editInlinableBody();
      case "httpbin/main" -> httpbin.editMain(edits);
      case "httpbin/handlers" -> httpbin.editHandlers(edits);
      case "httpbin/leaf" -> httpbin.editDigest(edits);
      default -> throw new IllegalArgumentException("unknown appEdit " + appEdit);
    }
  }

  @Benchmark
  public long build() throws Exception {
    long size = goBuilder.build(request).size();
    GoBuilder.LastBuild last = goBuilder.lastBuild().orElseThrow();
    if (builder.equals("direct") && !last.direct()) {
      fallbacks++;
      lastFallback = last.reason();
    }
    return size;
  }

  /** A direct run that fell back measured go build: it fails instead of reporting that. */
  @TearDown(Level.Trial)
  public void checkEveryBuildWasDirect() {
    if (fallbacks > 0) {
      throw new IllegalStateException(fallbacks + " of the direct builds of " + appEdit
          + " ran go build; the last because " + lastFallback);
    }
  }
}
