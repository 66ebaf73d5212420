package dev.hotreload.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Transport#transferData} delivers: a directory that replaces the one the app reads
 * through {@code KO_DATA_PATH} (ko's {@code kodata/}), in one destination.
 *
 * @param directory the workspace's data directory, whole
 * @param destination where it goes
 * @param restart whether the app restarts once the new data is in place
 * @param timeout the longest the delivery may take
 */
public record DataRequest(Path directory, Destination destination, boolean restart,
    Duration timeout) {
  /** Checks the fields. */
  public DataRequest {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(timeout, "timeout");
  }
}
