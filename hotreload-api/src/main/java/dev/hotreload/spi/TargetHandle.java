package dev.hotreload.spi;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** A target being tracked. Closing it stops tracking; for a local process it stops the process. */
public interface TargetHandle extends Closeable {

  /**
   * The destinations that should run the current binary now. Thread-safe.
   *
   * @return a snapshot
   */
  List<Destination> destinations();

  /**
   * Stops tracking and releases what the target started.
   *
   * @throws IOException if releasing failed
   */
  @Override
  void close() throws IOException;
}
