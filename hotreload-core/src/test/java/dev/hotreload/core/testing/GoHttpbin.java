package dev.hotreload.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * go-httpbin, a real third-party Go service (8.9 MB binary, no dependencies outside the standard
 * library), fetched from the Go module proxy at a pinned version and copied into a writable
 * workspace, with the edits a developer of it would make.
 */
public final class GoHttpbin {
  /** The module and version fetched. */
  public static final String MODULE_VERSION = "github.com/mccutchen/go-httpbin/v2@v2.26.0";
  /** The main package, relative to the module root. */
  public static final String MAIN_PACKAGE = "./cmd/go-httpbin";

  private final Path root;

  private GoHttpbin(Path root) {
    this.root = root;
  }

  /**
   * Downloads the module (once; {@code go mod download} caches it) and copies it.
   *
   * @param into an empty directory
   * @return the workspace
   * @throws IOException if go or the copy fails, naming what to do
   */
  public static GoHttpbin copy(Path into) throws IOException {
    Process go = new ProcessBuilder("go", "mod", "download", "-json", MODULE_VERSION)
        .directory(into.toFile()).redirectErrorStream(true).start();
    String out = new String(go.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (go.waitFor() != 0) {
        throw new IOException("go mod download " + MODULE_VERSION + " failed (the Go module "
            + "proxy must be reachable): " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    JsonNode info = new ObjectMapper().readTree(out);
    Path source = Path.of(info.path("Dir").asText());
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path target = into.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
          target.toFile().setWritable(true, true);
        }
      }
    }
    return new GoHttpbin(into);
  }

  /**
   * The module root.
   *
   * @return the directory with go.mod
   */
  public Path root() {
    return root;
  }

  /**
   * Changes the version string in the main package.
   *
   * @param n makes the text differ from the last edit's
   * @throws IOException if writing fails
   */
  public void editMain(int n) throws IOException {
    replace("cmd/go-httpbin/main.go", "version   = \"[^\"]*\"", "version   = \"dev-" + n + "\"");
  }

  /**
   * Changes the Content-Security-Policy that the index handler sends: a one-line edit in
   * httpbin/handlers.go.
   *
   * @param n makes the text differ from the last edit's
   * @throws IOException if writing fails
   */
  public void editHandlers(int n) throws IOException {
    replace("httpbin/handlers.go", "camo\\.githubusercontent\\.com[^\"]*\"",
        "camo.githubusercontent.com; report-to edit-" + n + "\"");
  }

  /**
   * Changes the digest challenge's text in httpbin/digest, a package httpbin imports.
   *
   * @param n makes the text differ from the last edit's
   * @throws IOException if writing fails
   */
  public void editDigest(int n) throws IOException {
    replace("httpbin/digest/digest.go", "opaque=%s[^\"]*\"", "opaque=%s, edit=" + n + "\"");
  }

  private void replace(String file, String regex, String replacement) throws IOException {
    Path path = root.resolve(file);
    String text = Files.readString(path);
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new IllegalStateException(file + " of " + MODULE_VERSION + " has no match for "
          + regex);
    }
    String edited = text.substring(0, m.start()) + replacement + text.substring(m.end());
    Path aside = path.resolveSibling("." + path.getFileName() + ".saving");
    Files.writeString(aside, edited);
    Files.move(aside, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
