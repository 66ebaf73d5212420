package dev.hotreload.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.ChangeSet;
import dev.hotreload.spi.WatchRequest;
import dev.hotreload.spi.Watcher;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link Watcher} promises; each implementation's test extends this. */
public abstract class WatcherContract {

  /** The watcher under test. */
  protected abstract Watcher watcher();

  /** A workspace with a main package at {@code ./cmd/server}. */
  protected abstract Path workspace() throws Exception;

  /** Edits a source file of the main package and returns it. */
  protected abstract Path editSource(Path workspace) throws Exception;

  @Test
  void editAfterWatchReturns_isReported_andNothingAfterClose() throws Exception {
    Path workspace = workspace();
    BlockingQueue<ChangeSet> batches = new LinkedBlockingQueue<>();
    Closeable watch = watcher().watch(new WatchRequest(workspace, "./cmd/server"), batches::add);

    Path edited = editSource(workspace);
    ChangeSet batch = batches.poll(10, TimeUnit.SECONDS);
    assertThat(batch).as("a batch within 10 s").isNotNull();
    assertThat(batch.paths()).contains(edited);

    watch.close();
    batches.clear();
    editSource(workspace);
    assertThat(batches.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }
}
