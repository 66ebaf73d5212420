package dev.hotreload;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file that was created, modified or deleted.
 *
 * @param path the file, absolute
 * @param kind what happened to it
 */
public record Change(Path path, Kind kind) {

  /** What happened to a file. */
  public enum Kind {
    /** The file appeared. */
    CREATED,
    /** The file's content changed. */
    MODIFIED,
    /** The file went away. */
    DELETED
  }

  /** Checks the fields. */
  public Change {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
  }
}
