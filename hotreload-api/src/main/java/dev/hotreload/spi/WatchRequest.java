package dev.hotreload.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to watch.
 *
 * @param workspace the Go module's root
 * @param mainPackage the main package whose dependencies matter
 */
public record WatchRequest(Path workspace, String mainPackage) {
  /** Checks the fields. */
  public WatchRequest {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(mainPackage, "mainPackage");
  }
}
