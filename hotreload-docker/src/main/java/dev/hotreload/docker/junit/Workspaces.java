package dev.hotreload.docker.junit;

import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * What the test-harness extensions do with a Go workspace: work on a copy, edit a file of it and
 * wait for the reload it starts, delete the copy.
 */
public final class Workspaces {
  private Workspaces() {}

  /**
   * Copies a workspace into a new temporary directory.
   *
   * @param workspace the directory to copy
   * @return the copy
   * @throws IOException if copying fails
   */
  public static Path copy(Path workspace) throws IOException {
    Path copy = Files.createTempDirectory("hotreload-workspace-");
    Files.walkFileTree(workspace, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Files.createDirectories(copy.resolve(workspace.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, copy.resolve(workspace.relativize(file).toString()),
            StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
    return copy;
  }

  /**
   * Deletes a directory tree; says so on stderr if it cannot.
   *
   * @param root the directory
   */
  public static void delete(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[hotreload] could not delete " + root + ": " + e);
    }
  }

  /**
   * Changes a file of a session's workspace and waits for the reload it starts.
   *
   * @param session the session watching the workspace
   * @param workspace the workspace
   * @param file relative to the workspace
   * @param change turns the file's text into the new text; it must change something
   * @param timeout how long to wait for the reload
   * @return the reload's report
   * @throws IOException if the file cannot be read or written
   * @throws TimeoutException if no reload ends in time
   * @throws InterruptedException if interrupted
   */
  public static ReloadReport edit(Session session, Path workspace, String file,
      UnaryOperator<String> change, Duration timeout)
      throws IOException, TimeoutException, InterruptedException {
    Path path = workspace.resolve(file).normalize();
    if (!path.startsWith(workspace)) {
      throw new IllegalArgumentException("File " + file + " is outside the workspace "
          + workspace);
    }
    String before = Files.readString(path, StandardCharsets.UTF_8);
    String after = Objects.requireNonNull(change.apply(before), "the changed text");
    if (after.equals(before)) {
      throw new IllegalArgumentException("The edit of " + file + " changes nothing, so no reload "
          + "would follow: check the text it replaces");
    }
    long sequence = session.lastSequence();
    Files.writeString(path, after, StandardCharsets.UTF_8);
    return session.awaitReloadAfter(sequence, timeout);
  }
}
