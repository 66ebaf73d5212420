package dev.hotreload.core.watch;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides which changed files matter to a Go build: non-test {@code .go} files in package
 * directories, embedded files, go.mod and go.sum; never editor droppings or hidden files.
 */
public final class SourceFilter implements Predicate<Path> {
  private final Set<Path> packageDirs;
  private final Set<Path> embedFiles;
  private final Set<Path> embedDirs;
  private final Set<Path> moduleFiles;
  private final Optional<Path> kodata;

  /**
   * Creates the filter.
   *
   * @param packageDirs directories of packages the build uses
   * @param embedFiles files named by {@code //go:embed}
   * @param embedDirs directories holding embedded files, where any new file may matter
   * @param moduleFiles go.mod, go.sum and go.work files
   */
  public SourceFilter(
      Set<Path> packageDirs, Set<Path> embedFiles, Set<Path> embedDirs, Set<Path> moduleFiles) {
    this(packageDirs, embedFiles, embedDirs, moduleFiles, Optional.empty());
  }

  /**
   * Creates the filter, which also accepts every file under the app's data directory.
   *
   * @param packageDirs directories of packages the build uses
   * @param embedFiles files named by {@code //go:embed}
   * @param embedDirs directories holding embedded files, where any new file may matter
   * @param moduleFiles go.mod, go.sum and go.work files
   * @param kodata the main package's {@code kodata/}, if it has one
   */
  public SourceFilter(Set<Path> packageDirs, Set<Path> embedFiles, Set<Path> embedDirs,
      Set<Path> moduleFiles, Optional<Path> kodata) {
    this.packageDirs = Set.copyOf(packageDirs);
    this.embedFiles = Set.copyOf(embedFiles);
    this.embedDirs = Set.copyOf(embedDirs);
    this.moduleFiles = Set.copyOf(moduleFiles);
    this.kodata = kodata;
  }

  /**
   * Whether a file name is an editor's temporary or backup file, or hidden.
   *
   * @param name the file name
   * @return true if it never matters
   */
  public static boolean isEditorOrHiddenFile(String name) {
    return name.startsWith(".")
        || name.startsWith("#")
        || name.endsWith("~")
        || name.endsWith(".swp")
        || name.endsWith(".swx")
        || name.endsWith(".swo")
        || name.endsWith(".tmp")
        || name.endsWith(".bak")
        || name.endsWith(".orig")
        || name.contains(".go.") // e.g. main.go.12345 written by some editors before a rename
        || name.equals("4913"); // vim's probe file
  }

  @Override
  public boolean test(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return false;
    }
    String fileName = name.toString();
    if (moduleFiles.contains(file)) {
      return true;
    }
    if (isEditorOrHiddenFile(fileName)) {
      return false;
    }
    if (embedFiles.contains(file)) {
      return true;
    }
    if (kodata.isPresent() && file.startsWith(kodata.get())) {
      return true;
    }
    Path dir = file.getParent();
    if (packageDirs.contains(dir)
        && fileName.endsWith(".go")
        && !fileName.endsWith("_test.go")) {
      return true;
    }
    return embedDirs.contains(dir);
  }
}
