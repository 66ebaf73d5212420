package dev.hotreload.core.internal.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies of the files that go into layers, at paths named by their content and with one fixed
 * modification time.
 *
 * <p>Why: jib-core's layer cache keys on each source file's path and modification time, not its
 * content. A binary rewritten in place with the same content (a rebuild after an undo) would miss
 * the cache and be compressed again; one replaced with other content but an equal time (a copy
 * that keeps times, a coarse file system) would hit it and ship the old layer. Staged copies make
 * the key a function of the content alone.
 *
 * <p>Builders may share the directory, even across processes: every copy is written under a
 * temporary name and renamed into place, so none sees a half-written file.
 */
public final class LayerStaging {
  /** What staged files and directories are dated on disk (not in the image). */
  private static final FileTime STAGED_TIME = FileTime.from(Instant.ofEpochSecond(1));
  private static final int KEEP = 8;

  private final Path root;

  /**
   * Staging under a directory.
   *
   * @param root the directory, created when needed
   */
  public LayerStaging(Path root) {
    this.root = root;
  }

  /**
   * An empty directory, the source jib-core needs for a directory entry of a layer.
   *
   * @return the directory
   * @throws IOException if it cannot be created
   */
  public Path emptyDirectory() throws IOException {
    Path dir = Files.createDirectories(root.resolve("empty"));
    Files.setLastModifiedTime(dir, STAGED_TIME);
    return dir;
  }

  /**
   * Stages one file under its content's digest.
   *
   * @param source the file
   * @param kind a directory name grouping files whose old copies are pruned together, like
   *     {@code binary/linux-amd64}
   * @return the staged copy; its name is fixed, so that the same content from another source
   *     path is the same copy
   * @throws IOException if reading or copying fails
   */
  public Path file(Path source, String kind) throws IOException {
    String digest = sha256(source);
    Path group = Files.createDirectories(root.resolve(kind));
    Path dir = group.resolve(digest);
    Path staged = dir.resolve("file");
    if (!Files.isRegularFile(staged)) {
      Files.createDirectories(dir);
      copy(source, staged);
    }
    touch(dir);
    prune(group, dir);
    return staged;
  }

  /**
   * Stages a directory tree under the digest of its paths, kinds, executable bits and contents.
   * The staged root's own time is not fixed (it records use): take directory entries for the
   * root from {@link #emptyDirectory()}.
   *
   * @param source the directory
   * @param kind the group, like {@code kodata}
   * @return the staged copy of the directory
   * @throws IOException if reading or copying fails
   */
  public Path tree(Path source, String kind) throws IOException {
    List<Path> paths = walk(source);
    MessageDigest tree = sha256();
    for (Path p : paths) {
      String rel = source.relativize(p).toString().replace('\\', '/');
      boolean dir = Files.isDirectory(p);
      tree.update((rel + (dir ? "/" : Files.isExecutable(p) ? "*" : "") + "\0").getBytes());
      if (!dir) {
        tree.update(HexFormat.of().parseHex(sha256(p)));
      }
    }
    Path group = Files.createDirectories(root.resolve(kind));
    Path staged = group.resolve(HexFormat.of().formatHex(tree.digest()));
    if (!Files.isDirectory(staged)) {
      Path temp = Files.createTempDirectory(group, ".incoming-");
      for (Path p : paths) {
        Path target = temp.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
          Files.setLastModifiedTime(target, STAGED_TIME);
        }
      }
      for (Path p : walk(temp)) {
        if (Files.isDirectory(p)) {
          Files.setLastModifiedTime(p, STAGED_TIME);
        }
      }
      try {
        Files.move(temp, staged, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (!Files.isDirectory(staged)) {
          throw e;
        }
        deleteTree(temp);
      }
    }
    touch(staged);
    prune(group, staged);
    return staged;
  }

  /**
   * The files and directories of a tree, parents before children, in a stable order; symbolic
   * links are followed, as ko does for kodata.
   *
   * @param dir the tree's root
   * @return its paths, without the root itself
   * @throws IOException if walking fails
   */
  public static List<Path> walk(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
      return s.filter(p -> !p.equals(dir))
          .sorted(Comparator.comparing(p -> dir.relativize(p).toString()))
          .toList();
    }
  }

  private static void copy(Path source, Path staged) throws IOException {
    Path temp = Files.createTempFile(staged.getParent(), ".incoming-", "");
    try {
      Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
      Files.setLastModifiedTime(temp, STAGED_TIME);
      Files.move(temp, staged, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void touch(Path dir) throws IOException {
    Files.setLastModifiedTime(dir, FileTime.from(Instant.now()));
  }

  /** Keeps the most recently used copies of a group: the dev loop stages a binary per build. */
  private static void prune(Path group, Path current) throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(group)) {
      s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")
              && !p.equals(current))
          .forEach(dirs::add);
    }
    if (dirs.size() < KEEP) {
      return;
    }
    dirs.sort(Comparator.comparing((Path p) -> {
      try {
        return Files.getLastModifiedTime(p);
      } catch (IOException e) {
        return FileTime.fromMillis(0);
      }
    }).reversed());
    for (Path old : dirs.subList(KEEP - 1, dirs.size())) {
      deleteTree(old);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
