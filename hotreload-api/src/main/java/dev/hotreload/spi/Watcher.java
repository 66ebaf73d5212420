package dev.hotreload.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reports batches of file changes that matter to a build.
 *
 * <p>{@link #watch} returns once watching has begun: an edit made after it returns is reported.
 * The watcher runs on threads of its own and calls the sink from them, one batch at a time.
 * Closing the handle stops it; no batch is reported after {@code close()} returns.
 */
@FunctionalInterface
public interface Watcher {

  /**
   * Starts watching.
   *
   * @param request the workspace and main package whose sources matter
   * @param sink receives each batch
   * @return stops watching when closed
   * @throws IOException if watching cannot start
   */
  Closeable watch(WatchRequest request, ChangeSink sink) throws IOException;
}
