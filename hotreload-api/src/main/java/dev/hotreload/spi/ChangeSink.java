package dev.hotreload.spi;

import dev.hotreload.ChangeSet;

/** Receives batches of changes from a {@link Watcher}; thread-safe, fast, never throws. */
@FunctionalInterface
public interface ChangeSink {

  /**
   * Files changed.
   *
   * @param changes the batch, never empty
   */
  void changed(ChangeSet changes);
}
