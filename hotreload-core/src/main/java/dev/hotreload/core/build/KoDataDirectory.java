package dev.hotreload.core.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a main package's data lives, as the images this library builds take it: the package's
 * own {@code kodata/} (ko's convention), else a {@code kodata/} at the workspace's root.
 */
public final class KoDataDirectory {
  private static final Pattern MODULE = Pattern.compile("(?m)^module\\s+(\\S+)");

  private KoDataDirectory() {}

  /**
   * Finds the directory.
   *
   * @param workspace the Go workspace
   * @param mainPackage {@code ./cmd/server} or an import path of the workspace's module
   * @return the directory, if there is one
   */
  public static Optional<Path> of(Path workspace, String mainPackage) {
    Path own = null;
    if (mainPackage.startsWith(".")) {
      own = workspace.resolve(mainPackage).normalize().resolve("kodata");
    } else {
      try {
        Path goMod = workspace.resolve("go.mod");
        if (Files.isRegularFile(goMod)) {
          Matcher m = MODULE.matcher(Files.readString(goMod));
          if (m.find() && mainPackage.startsWith(m.group(1) + "/")) {
            own = workspace.resolve(mainPackage.substring(m.group(1).length() + 1))
                .resolve("kodata");
          }
        }
      } catch (IOException e) {
        // no module to place it in: only the workspace's own kodata is left
      }
    }
    if (own != null && Files.isDirectory(own)) {
      return Optional.of(own);
    }
    Path shared = workspace.resolve("kodata");
    return Files.isDirectory(shared) ? Optional.of(shared) : Optional.empty();
  }
}
