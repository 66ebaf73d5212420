package dev.hotreload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A batch of file changes that lead to one reload. Each path appears once, with its last kind.
 *
 * @param changes the changes in the order the files were first seen
 */
public record ChangeSet(List<Change> changes) {

  /** A change set with no changes: a reload asked for by hand or by a new target. */
  public static final ChangeSet EMPTY = new ChangeSet(List.of());

  /** Copies the list. */
  public ChangeSet {
    changes = List.copyOf(Objects.requireNonNull(changes, "changes"));
  }

  /**
   * Merges this batch with a later one: a path changed in both keeps its place and takes the
   * later kind.
   *
   * @param later changes seen after these
   * @return the merged set
   */
  public ChangeSet merge(ChangeSet later) {
    Map<Path, Change> byPath = new LinkedHashMap<>();
    for (Change change : changes) {
      byPath.put(change.path(), change);
    }
    for (Change change : later.changes) {
      byPath.put(change.path(), change);
    }
    return new ChangeSet(new ArrayList<>(byPath.values()));
  }

  /**
   * The changed files.
   *
   * @return the paths, in order
   */
  public List<Path> paths() {
    return changes.stream().map(Change::path).toList();
  }

  /**
   * Whether there are no changes.
   *
   * @return true if empty
   */
  public boolean isEmpty() {
    return changes.isEmpty();
  }
}
