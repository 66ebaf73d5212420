package dev.hotreload.core.watch;

import dev.hotreload.ChangeSet;
import dev.hotreload.core.build.GoToolchain;
import dev.hotreload.core.build.KoDataDirectory;
import dev.hotreload.spi.ChangeSink;
import dev.hotreload.spi.WatchRequest;
import dev.hotreload.spi.Watcher;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Watches exactly the files a Go main package is built from: the directories of the packages of
 * its own module (and of locally replaced modules) that it imports, as {@code go list -deps}
 * reports them, their {@code //go:embed} files, and go.mod/go.sum. Test files, editor temp files
 * and hidden files are ignored. Files under the main package's {@code kodata/} are reported too. After every batch that touches Go sources or go.mod, the package
 * set is resolved again, so a newly imported package is watched from then on.
 *
 * <p>Uses the platform's native file events (inotify on Linux). Thread-safe.
 */
public final class GoWatcher implements Watcher {
  // Everything on one line per package; \x1f separates embed files.
  private static final String TEMPLATE =
      "{{if not .Standard}}{{with .Module}}{{if or .Main (and .Replace (not .Replace.Version))}}"
          + "{{$.Dir}}\t{{.Dir}}\t{{join $.EmbedFiles \"\\x1f\"}}\n{{end}}{{end}}{{end}}";

  private final Duration batchWindow;

  private GoWatcher(Duration batchWindow) {
    this.batchWindow = batchWindow;
  }

  /**
   * A watcher that batches events arriving within 5 ms of each other.
   *
   * @return the watcher
   */
  public static GoWatcher create() {
    return new GoWatcher(Duration.ofMillis(5));
  }

  @Override
  public Closeable watch(WatchRequest request, ChangeSink sink) throws IOException {
    GoToolchain go = GoToolchain.find();
    Resolved first = resolve(go, request);
    // `go list` takes tens of ms: it runs on its own thread, coalesced, so that reporting the
    // next save never waits for it.
    ExecutorService resolver = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "hotreload-watcher-resolve");
      thread.setDaemon(true);
      return thread;
    });
    AtomicBoolean queued = new AtomicBoolean();
    DirectoryWatcher[] holder = new DirectoryWatcher[1];
    holder[0] =
        new DirectoryWatcher(
            request.workspace().getFileSystem(),
            first.directories(),
            first.filter(),
            batchWindow,
            sink,
            (ChangeSet changes) -> {
              boolean sourcesChanged =
                  changes.paths().stream()
                      .map(p -> p.getFileName().toString())
                      .anyMatch(n -> n.endsWith(".go") || n.equals("go.mod") || n.equals("go.work"));
              if (sourcesChanged && queued.compareAndSet(false, true)) {
                resolver.execute(() -> {
                  queued.set(false);
                  try {
                    Resolved again = resolve(go, request);
                    holder[0].update(again.directories(), again.filter());
                  } catch (IOException e) {
                    // A source that does not compile may not list either: keep the old set.
                  }
                });
              }
            });
    DirectoryWatcher watcher = holder[0];
    return () -> {
      resolver.shutdownNow();
      watcher.close();
    };
  }

  private record Resolved(Set<Path> directories, SourceFilter filter) {}

  private static Resolved resolve(GoToolchain go, WatchRequest request) throws IOException {
    Path workspace = request.workspace().toAbsolutePath();
    GoToolchain.Result result =
        go.run(workspace, Map.of(), List.of("list", "-e", "-deps", "-f", TEMPLATE,
            request.mainPackage()));
    if (!result.ok()) {
      throw new IOException(
          "`go list -deps " + request.mainPackage() + "` failed in " + workspace + ": "
              + result.stderr().strip());
    }
    Set<Path> packageDirs = new HashSet<>();
    Set<Path> embedFiles = new HashSet<>();
    Set<Path> embedDirs = new HashSet<>();
    Set<Path> moduleFiles = new HashSet<>();
    for (String line : result.stdout().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      Path dir = Path.of(fields[0]);
      Path moduleDir = Path.of(fields[1]);
      packageDirs.add(dir);
      for (String name : List.of("go.mod", "go.sum", "go.work")) {
        moduleFiles.add(moduleDir.resolve(name));
      }
      if (fields.length > 2 && !fields[2].isEmpty()) {
        for (String embed : fields[2].split("\u001f")) {
          Path file = dir.resolve(embed).normalize();
          embedFiles.add(file);
          if (!file.getParent().equals(dir)) {
            embedDirs.add(file.getParent());
          }
        }
      }
    }
    moduleFiles.add(workspace.resolve("go.mod"));
    moduleFiles.add(workspace.resolve("go.sum"));
    Set<Path> directories = new HashSet<>(packageDirs);
    directories.addAll(embedDirs);
    moduleFiles.forEach(f -> directories.add(f.getParent()));
    // ko's kodata/: delivered without a build when it is all that changed
    Optional<Path> kodata = KoDataDirectory.of(workspace, request.mainPackage());
    if (kodata.isPresent()) {
      try (Stream<Path> tree = Files.walk(kodata.get())) {
        tree.filter(Files::isDirectory).forEach(directories::add);
      }
    }
    return new Resolved(directories,
        new SourceFilter(packageDirs, embedFiles, embedDirs, moduleFiles, kodata));
  }
}
