package dev.hotreload.core.build;

import dev.hotreload.BuildFailedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Go package as {@code go list} describes it.
 *
 * @param importPath its import path
 * @param name its package name ({@code main} for a command)
 * @param dir its directory
 * @param moduleDir the root of its module
 */
public record GoPackage(String importPath, String name, Path dir, Path moduleDir) {

  /**
   * Looks up a package, failing with a message that says what to fix.
   *
   * @param go the toolchain
   * @param workspace where to run {@code go list}
   * @param pattern the package, like {@code ./cmd/server}
   * @param env extra environment
   * @return the package
   * @throws BuildFailedException if it does not exist or has errors
   * @throws IOException if {@code go} could not run
   */
  public static GoPackage resolve(
      GoToolchain go, Path workspace, String pattern, Map<String, String> env)
      throws IOException {
    GoToolchain.Result result =
        go.run(
            workspace,
            env,
            List.of(
                "list",
                "-f",
                "{{.ImportPath}}\t{{.Name}}\t{{.Dir}}\t{{with .Module}}{{.Dir}}{{end}}",
                pattern));
    if (!result.ok()) {
      throw new BuildFailedException(
          "Main package '" + pattern + "' could not be loaded in workspace " + workspace
              + ": " + result.stderr().strip()
              + "\nSet mainPackage to a directory with package main, like ./cmd/server, "
              + "relative to the go.mod directory.",
          null, null, List.of(), null);
    }
    String[] fields = result.stdout().strip().split("\t", -1);
    if (fields.length < 4) {
      throw new IOException("Unexpected `go list` output for " + pattern + ": " + result.stdout());
    }
    Path dir = Path.of(fields[2]);
    return new GoPackage(
        fields[0], fields[1], dir, fields[3].isEmpty() ? workspace : Path.of(fields[3]));
  }

  /**
   * Whether it is a command.
   *
   * @return true for package main
   */
  public boolean isMain() {
    return "main".equals(name);
  }
}
