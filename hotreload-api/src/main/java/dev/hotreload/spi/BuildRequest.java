package dev.hotreload.spi;

import dev.hotreload.Platform;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to build.
 *
 * @param workspace the Go module's root (the directory of go.mod)
 * @param mainPackage the main package, relative like {@code ./cmd/server} or an import path
 * @param platform the platform to build for
 */
public record BuildRequest(Path workspace, String mainPackage, Platform platform) {
  /** Checks the fields. */
  public BuildRequest {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(mainPackage, "mainPackage");
    Objects.requireNonNull(platform, "platform");
  }
}
