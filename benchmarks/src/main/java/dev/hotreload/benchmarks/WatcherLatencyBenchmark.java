package dev.hotreload.benchmarks;

import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.watch.GoWatcher;
import dev.hotreload.spi.WatchRequest;
import java.io.Closeable;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * Save → change event: how long after a {@code .go} file is written the session hears of it.
 * {@code go-watcher} is the library's watcher (native events — inotify here, FSEvents through
 * directory-watcher on macOS — plus filtering plus a 5 ms batch window); {@code
 * jdk-watchservice} is the bare JDK {@link WatchService} on the same directory, the baseline the
 * ratio is computed against; {@code directory-watcher} is io.methvin's recursive watcher on the
 * workspace as a whole (what the library would be if it used that library's watcher outright).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WatcherLatencyBenchmark {
  @Param({"go-watcher", "jdk-watchservice", "directory-watcher"})
  public String watcher;

  private Path root;
  private Path file;
  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private Closeable watch;
  private int edit;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    root = Files.createTempDirectory("hotreload-bench-watch-");
    GoWorkspace workspace = GoWorkspace.create(root, "bench");
    file = workspace.greetingFile();
    if (watcher.equals("go-watcher")) {
      watch = GoWatcher.create().watch(new WatchRequest(root, "./cmd/server"), events::add);
    } else if (watcher.equals("directory-watcher")) {
      io.methvin.watcher.DirectoryWatcher recursive = io.methvin.watcher.DirectoryWatcher.builder()
          .path(root).fileHashing(false).listener(events::add).build();
      recursive.watchAsync();
      watch = recursive::close;
    } else {
      WatchService service = FileSystems.getDefault().newWatchService();
      file.getParent().register(service, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_CREATE);
      Thread thread = new Thread(() -> {
        try {
          while (true) {
            WatchKey key = service.take();
            key.pollEvents();
            key.reset();
            events.add(key);
          }
        } catch (Exception e) {
          // closed
        }
      }, "jdk-watchservice-baseline");
      thread.setDaemon(true);
      thread.start();
      watch = service;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    watch.close();
  }

  @Benchmark
  public Object saveToEvent() throws Exception {
    events.clear();
    Files.writeString(file, "package greet\n\nconst Text = \"edit " + (++edit) + "\"\n");
    Object event = events.poll(10, TimeUnit.SECONDS);
    if (event == null) {
      throw new IllegalStateException("no event within 10 s for " + file);
    }
    return event;
  }
}
