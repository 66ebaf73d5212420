package dev.hotreload.core.testing;

import dev.hotreload.Change;
import dev.hotreload.ChangeSet;
import dev.hotreload.spi.ChangeSink;
import dev.hotreload.spi.WatchRequest;
import dev.hotreload.spi.Watcher;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.List;

/** A watcher the test drives by hand: {@link #change(String...)} reports a batch. */
public final class FakeWatcher implements Watcher {
  private volatile ChangeSink sink;
  private volatile Path workspace;
  private volatile boolean closed;

  @Override
  public Closeable watch(WatchRequest request, ChangeSink changeSink) {
    this.workspace = request.workspace();
    this.sink = changeSink;
    return () -> closed = true;
  }

  /**
   * Whether a watch is open: started and not closed.
   *
   * @return true while watching
   */
  public boolean watching() {
    return sink != null && !closed;
  }

  /**
   * Reports that files of the workspace were modified.
   *
   * @param files names relative to the workspace
   */
  public void change(String... files) {
    if (sink == null || closed) {
      throw new IllegalStateException("not watching");
    }
    sink.changed(new ChangeSet(List.of(files).stream()
        .map(f -> new Change(workspace.resolve(f), Change.Kind.MODIFIED)).toList()));
  }

  /**
   * Whether the session closed the watch.
   *
   * @return true once closed
   */
  public boolean closed() {
    return closed;
  }
}
