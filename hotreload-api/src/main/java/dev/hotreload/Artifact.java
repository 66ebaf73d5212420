package dev.hotreload;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A built binary on the developer's disk, ready to be delivered.
 *
 * <p>Immutable. The file at {@code path} is owned by the builder and may be replaced by the next
 * build: transports copy or stream it, and never hand the path itself to a running process.
 *
 * @param path where the binary is
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 * @param size the file's size in bytes
 * @param platform what it was built for
 * @param importPath the Go import path of the main package, for example {@code
 *     example.com/hello/cmd/server}
 */
public record Artifact(Path path, String sha256, long size, Platform platform, String importPath) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** Checks the fields. */
  public Artifact {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(importPath, "importPath");
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("Artifact sha256 '" + sha256 + "' is not 64 hex digits");
    }
    if (size < 0) {
      throw new IllegalArgumentException("Artifact size " + size + " is negative");
    }
  }

  /**
   * The base name ko gives the binary in an image: the last element of the import path.
   *
   * @return for example {@code server} for {@code example.com/hello/cmd/server}
   */
  public String binaryName() {
    return importPath.substring(importPath.lastIndexOf('/') + 1);
  }
}
