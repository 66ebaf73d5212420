package dev.hotreload.core.watch;

import dev.hotreload.Change;
import dev.hotreload.ChangeSet;
import dev.hotreload.spi.ChangeSink;
import io.methvin.watchservice.MacOSXListeningWatchService;
import io.methvin.watchservice.WatchablePath;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.Watchable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Watches a set of directories (not recursively) with the file system's {@link WatchService} and
 * reports the changes a predicate accepts, in batches. Uses only {@link Path}, so it runs on any
 * file system, jimfs included.
 *
 * <p>Native events everywhere: on Linux the JDK's service is inotify already; on macOS, where the
 * JDK's service polls every few seconds, the default file system is watched through FSEvents with
 * directory-watcher's {@link MacOSXListeningWatchService} (FSEvents watch a directory's subtree
 * too; the predicate decides what counts).
 *
 * <p>One daemon thread per watcher. Events that arrive within {@code batchWindow} of each other go
 * into one batch; the session's debounce does the rest.
 */
public final class DirectoryWatcher implements Closeable {
  private final WatchService service;
  private final Map<Path, WatchKey> keys = new HashMap<>();
  private final Thread thread;
  private final long batchWindowNanos;
  private volatile Predicate<Path> accept;
  private volatile boolean closed;

  /**
   * Starts watching.
   *
   * @param fileSystem the file system of the directories
   * @param directories what to watch
   * @param accept which changed files to report
   * @param batchWindow how long to wait for more events before reporting a batch
   * @param sink receives the batches
   * @param afterBatch runs on the watcher thread after each batch (for example to re-resolve the
   *     directories); may be null
   * @throws IOException if the watch service cannot start
   */
  public DirectoryWatcher(
      FileSystem fileSystem,
      Set<Path> directories,
      Predicate<Path> accept,
      java.time.Duration batchWindow,
      ChangeSink sink,
      Consumer<ChangeSet> afterBatch)
      throws IOException {
    this.service = nativeService(fileSystem);
    this.accept = accept;
    this.batchWindowNanos = batchWindow.toNanos();
    update(directories, accept);
    this.thread = new Thread(() -> loop(sink, afterBatch), "hotreload-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Changes what is watched: registers new directories, drops ones no longer wanted.
   *
   * @param directories the full new set
   * @param newAccept the new filter
   * @throws IOException if a directory cannot be registered
   */
  public synchronized void update(Set<Path> directories, Predicate<Path> newAccept)
      throws IOException {
    this.accept = newAccept;
    for (Path dir : directories) {
      if (!keys.containsKey(dir) && java.nio.file.Files.isDirectory(dir)) {
        Watchable watchable =
            service instanceof MacOSXListeningWatchService ? new WatchablePath(dir) : dir;
        keys.put(
            dir,
            watchable.register(
                service,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE));
      }
    }
    keys.entrySet()
        .removeIf(
            e -> {
              if (!directories.contains(e.getKey())) {
                e.getValue().cancel();
                return true;
              }
              return false;
            });
  }

  /**
   * The directories being watched.
   *
   * @return a snapshot
   */
  public synchronized Set<Path> directories() {
    return Set.copyOf(keys.keySet());
  }

  private void loop(ChangeSink sink, Consumer<ChangeSet> afterBatch) {
    try {
      while (!closed) {
        WatchKey key = service.take();
        Map<Path, Change> batch = new LinkedHashMap<>();
        collect(key, batch);
        // Editors save in several steps (write temp, rename, chmod): gather them as one batch.
        long deadline = System.nanoTime() + batchWindowNanos;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
          WatchKey more = service.poll(left, TimeUnit.NANOSECONDS);
          if (more == null) {
            break;
          }
          collect(more, batch);
        }
        if (!batch.isEmpty() && !closed) {
          ChangeSet changes = new ChangeSet(new ArrayList<>(batch.values()));
          sink.changed(changes);
          if (afterBatch != null) {
            afterBatch.accept(changes);
          }
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    }
  }

  private void collect(WatchKey key, Map<Path, Change> batch) {
    Path dir =
        key.watchable() instanceof WatchablePath path ? path.getFile() : (Path) key.watchable();
    Predicate<Path> filter = accept;
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        // Events were lost: report the directory so a rebuild happens anyway.
        batch.put(dir, new Change(dir, Change.Kind.MODIFIED));
        continue;
      }
      Path file = dir.resolve((Path) event.context());
      if (!filter.test(file)) {
        continue;
      }
      Change.Kind kind =
          event.kind() == StandardWatchEventKinds.ENTRY_CREATE
              ? Change.Kind.CREATED
              : event.kind() == StandardWatchEventKinds.ENTRY_DELETE
                  ? Change.Kind.DELETED
                  : Change.Kind.MODIFIED;
      Change previous = batch.get(file);
      // A file created and then written in one batch is still new.
      if (previous != null && previous.kind() == Change.Kind.CREATED && kind == Change.Kind.MODIFIED) {
        continue;
      }
      batch.put(file, new Change(file, kind));
    }
    key.reset();
  }

  /**
   * The watch service giving native events for this file system: FSEvents for macOS's default
   * file system, the file system's own service otherwise (inotify on Linux, jimfs's in tests).
   *
   * @param fileSystem the file system of the directories
   * @return a new service
   * @throws IOException if it cannot start
   */
  static WatchService nativeService(FileSystem fileSystem) throws IOException {
    return usesFsEvents(System.getProperty("os.name", ""), fileSystem)
        ? new MacOSXListeningWatchService()
        : fileSystem.newWatchService();
  }

  /** Whether the directories of this file system are watched through FSEvents. */
  static boolean usesFsEvents(String osName, FileSystem fileSystem) {
    return osName.toLowerCase(Locale.ROOT).startsWith("mac")
        && fileSystem == FileSystems.getDefault();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    service.close();
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
