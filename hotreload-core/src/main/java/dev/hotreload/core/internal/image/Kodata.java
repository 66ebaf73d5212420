package dev.hotreload.core.internal.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the {@code kodata} directory ko would ship for a main package. */
public final class Kodata {
  private static final Pattern MODULE = Pattern.compile("(?m)^\\s*module\\s+\"?([^\\s\"]+)\"?");

  private Kodata() {}

  /**
   * The main package's own {@code kodata/} (where ko looks), else the workspace's.
   *
   * @param workspace the module root
   * @param importPath the main package's import path
   * @return the directory, empty if neither exists
   * @throws IOException if go.mod exists but cannot be read
   */
  public static Optional<Path> find(Path workspace, String importPath) throws IOException {
    Path goMod = workspace.resolve("go.mod");
    if (Files.isRegularFile(goMod)) {
      Matcher m = MODULE.matcher(Files.readString(goMod));
      if (m.find()) {
        String module = m.group(1);
        if (importPath.startsWith(module + "/")) {
          Path own = workspace.resolve(importPath.substring(module.length() + 1)).resolve("kodata");
          if (Files.isDirectory(own)) {
            return Optional.of(own);
          }
        }
      }
    }
    Path shared = workspace.resolve("kodata");
    return Files.isDirectory(shared) ? Optional.of(shared) : Optional.empty();
  }
}
