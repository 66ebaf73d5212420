package dev.hotreload.k8s.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go modules of a workspace: its {@code go.mod}, or every module a {@code go.work} uses. An
 * import path resolves to a package directory inside the module whose path is its longest
 * prefix, as ko resolves {@code ko://} references.
 */
final class GoModules {
  private static final Pattern MODULE = Pattern.compile("(?m)^module\\s+(\\S+)");
  private static final Pattern USE_BLOCK = Pattern.compile("(?s)use\\s*\\((.*?)\\)");
  private static final Pattern USE_LINE = Pattern.compile("(?m)^use\\s+(\\S+)");

  /** A module: its path and its directory. */
  record Module(String path, Path directory) {}

  private final Path workspace;
  private final List<Module> modules;

  private GoModules(Path workspace, List<Module> modules) {
    this.workspace = workspace;
    this.modules = modules;
  }

  static GoModules of(Path workspace) throws IOException {
    Path root = workspace.toAbsolutePath().normalize();
    List<Path> directories = new ArrayList<>();
    Path work = root.resolve("go.work");
    if (Files.isRegularFile(work)) {
      String text = Files.readString(work, StandardCharsets.UTF_8).replaceAll("//[^\n]*", "");
      Matcher block = USE_BLOCK.matcher(text);
      while (block.find()) {
        for (String line : block.group(1).split("\n")) {
          if (!line.isBlank()) {
            directories.add(root.resolve(line.strip().replace("\"", "")).normalize());
          }
        }
      }
      Matcher single = USE_LINE.matcher(text);
      while (single.find()) {
        if (!single.group(1).equals("(")) {
          directories.add(root.resolve(single.group(1).replace("\"", "")).normalize());
        }
      }
    } else {
      directories.add(root);
    }
    List<Module> modules = new ArrayList<>();
    for (Path directory : directories) {
      Path mod = directory.resolve("go.mod");
      if (!Files.isRegularFile(mod)) {
        throw new IOException("No go.mod in " + directory + (Files.isRegularFile(work)
            ? " (named by " + work + ")" : ": the workspace must be a Go module's root"));
      }
      Matcher m = MODULE.matcher(Files.readString(mod, StandardCharsets.UTF_8));
      if (!m.find()) {
        throw new IOException(mod + " declares no module path");
      }
      modules.add(new Module(m.group(1).replace("\"", ""), directory));
    }
    modules.sort(Comparator.comparingInt((Module x) -> x.path().length()).reversed());
    return new GoModules(root, List.copyOf(modules));
  }

  /**
   * The package directory of an import path, relative to the workspace, as {@code ./cmd/server}.
   *
   * @throws IOException if no module of the workspace holds it, naming the modules
   */
  String mainPackage(String importPath) throws IOException {
    for (Module module : modules) {
      String prefix = module.path();
      if (importPath.equals(prefix) || importPath.startsWith(prefix + "/")) {
        Path directory = module.directory().resolve(importPath.substring(prefix.length())
            .replaceFirst("^/", "")).normalize();
        if (!Files.isDirectory(directory)) {
          throw new IOException("ko://" + importPath + " names " + directory + ", which does not "
              + "exist in module " + prefix);
        }
        String relative = workspace.relativize(directory).toString().replace('\\', '/');
        return relative.isEmpty() ? "." : "./" + relative;
      }
    }
    throw new IOException("ko://" + importPath + " is in none of the workspace's modules ("
        + String.join(", ", modules.stream().map(Module::path).toList()) + "): ko resolves "
        + "only main packages of the modules it builds");
  }
}
