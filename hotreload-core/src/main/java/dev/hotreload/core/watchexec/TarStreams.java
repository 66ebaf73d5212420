package dev.hotreload.core.watchexec;

import dev.hotreload.Artifact;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes the tar stream that delivers a binary to a container whose only tools are {@code tar}
 * and a watcher (the watchexec supervisor): the container runs {@link #EXTRACT_COMMAND} with the
 * stream on its stdin.
 *
 * <h2>Why a hard link, and no shell</h2>
 *
 * A binary must appear at its final name whole or not at all: a watcher that restarts the app on
 * the first write would start a half-written file, and a truncated stream must leave the running
 * app alone. {@code tar} cannot rename, and running {@code sh -c 'tar … && mv …'} would need a
 * shell and {@code mv} in the image. Instead the stream holds two entries:
 *
 * <ol>
 *   <li>the bytes, as a regular file with a temporary name in the same directory ({@code
 *       /ko-app/.hello.incoming}), mode 0755;
 *   <li>the final name ({@code /ko-app/hello}) as a <em>hard link</em> to that file.
 * </ol>
 *
 * GNU tar and BusyBox tar both extract a hard link as {@code unlink(final)} then {@code
 * link(temporary, final)}, so the final name goes from the old, complete file to the new, complete
 * file with only a microsecond gap and never names a partly written one. The link entry comes
 * after the last byte: a stream cut short anywhere before it leaves the final name untouched. A
 * cut inside an entry also fails {@code tar}; a cut exactly between the two entries does not (tar
 * accepts an archive that ends on an entry boundary), so a transport must treat a delivery as done
 * only when it wrote the whole stream and {@code tar} exited 0. Both tars also unlink an existing file before creating one (they open with
 * {@code O_EXCL}), so the temporary name left from the previous delivery, which is the running
 * binary's inode, is unlinked rather than overwritten: no ETXTBSY, and the running process keeps
 * its file. Never run the extraction with {@code --overwrite}, which would truncate that inode in
 * place.
 *
 * <p>Entry names are relative ({@code ko-app/hello}) so {@code tar} needs no leading-slash
 * stripping; extraction at {@code -C /} puts them at their absolute paths. No directory entry is
 * written: extracting one would change the directory's mode and times, which a watcher sees.
 * Owner is uid/gid 0 with no names, the modification time is the epoch, so the same binary always
 * gives the same bytes.
 *
 * <p>The temporary file stays after the delivery as a second name of the running binary (it takes
 * no extra space). Watchers must ignore names matching {@link #INCOMING_GLOB}.
 *
 * <p>Stateless and thread-safe.
 */
public final class TarStreams {

  /**
   * What the container runs to unpack a stream from stdin: no shell, only {@code tar} (GNU or
   * BusyBox), with the archive explicitly on stdin because a tar's default archive is a build-time
   * choice.
   */
  public static final List<String> EXTRACT_COMMAND = List.of("tar", "-x", "-f", "-", "-C", "/");

  /** Suffix of the temporary name, after a leading dot and the binary's name. */
  public static final String INCOMING_SUFFIX = ".incoming";

  /** A watchexec {@code --ignore} glob that matches every temporary name in any directory. */
  public static final String INCOMING_GLOB = "**/.*" + INCOMING_SUFFIX;

  private static final int RECORD = 512;

  private TarStreams() {}

  /**
   * The temporary name a binary arrives under before it is linked to its final name.
   *
   * @param binaryPath the absolute path of the binary in the container, like {@code /ko-app/hello}
   * @return the temporary path beside it, like {@code /ko-app/.hello.incoming}
   */
  public static String incomingPath(String binaryPath) {
    checkAbsolute(binaryPath);
    int slash = binaryPath.lastIndexOf('/');
    return binaryPath.substring(0, slash + 1) + "." + binaryPath.substring(slash + 1)
        + INCOMING_SUFFIX;
  }

  /**
   * Writes the stream for an artifact delivered into a directory, named as ko names it.
   *
   * @param artifact the binary; its bytes are checked against its size and sha256 as they go
   * @param directory the absolute directory in the container, like {@code /ko-app}
   * @param out where the stream goes (not closed)
   * @return the number of bytes written
   * @throws IOException if reading fails, writing fails, or the file no longer matches the
   *     artifact's size or checksum; then the stream ends before the link entry
   */
  public static long writeBinary(Artifact artifact, String directory, OutputStream out)
      throws IOException {
    String dir = directory.endsWith("/") ? directory : directory + "/";
    return writeBinary(
        artifact.path(), artifact.size(), artifact.sha256(), dir + artifact.binaryName(), out);
  }

  /**
   * Writes the stream that puts a file at a path in the container.
   *
   * @param source the binary on this machine
   * @param size the size it must have
   * @param sha256 the lower-case hex SHA-256 it must have
   * @param binaryPath the absolute path in the container, like {@code /ko-app/hello}
   * @param out where the stream goes (not closed, but flushed)
   * @return the number of bytes written
   * @throws IOException if reading fails, writing fails, or the bytes read do not match {@code
   *     size} and {@code sha256} (the builder replaced the file meanwhile); then the stream ends
   *     before the link entry, so extracting what was written fails and changes nothing the
   *     watcher acts on
   */
  public static long writeBinary(
      Path source, long size, String sha256, String binaryPath, OutputStream out)
      throws IOException {
    Objects.requireNonNull(sha256, "sha256");
    String finalName = checkAbsolute(binaryPath).substring(1);
    String incomingName = incomingPath(binaryPath).substring(1);
    CountingOutputStream counting = new CountingOutputStream(out);
    // Not closed: closing would close the caller's stream, and on failure the end-of-archive
    // records must not be written.
    TarArchiveOutputStream tar = new TarArchiveOutputStream(counting, RECORD, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);

    TarArchiveEntry file = entry(incomingName, TarConstants.LF_NORMAL);
    file.setSize(size);
    tar.putArchiveEntry(file);
    MessageDigest digest = sha256Digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest)) {
      long copied = copy(in, tar, size);
      if (copied != size || in.read() != -1) {
        throw new IOException(
            source + " changed while it was sent: expected " + size + " bytes, it has "
                + (copied == size ? "more" : copied) + "; nothing was delivered");
      }
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(sha256)) {
      throw new IOException(
          source + " changed while it was sent: sha256 " + actual + ", expected " + sha256
              + "; nothing was delivered");
    }
    tar.closeArchiveEntry();

    TarArchiveEntry link = entry(finalName, TarConstants.LF_LINK);
    link.setLinkName(incomingName);
    tar.putArchiveEntry(link);
    tar.closeArchiveEntry();
    tar.finish();
    tar.flush();
    return counting.count;
  }

  private static TarArchiveEntry entry(String name, byte type) {
    TarArchiveEntry entry = new TarArchiveEntry(name, type);
    // Permission bits only, as GNU tar writes them; the type is in the type flag.
    entry.setMode(0755);
    entry.setModTime(Instant.EPOCH.toEpochMilli());
    entry.setIds(0, 0);
    entry.setUserName("");
    entry.setGroupName("");
    return entry;
  }

  private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    while (total < limit) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
      if (n < 0) {
        break;
      }
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }

  private static String checkAbsolute(String path) {
    if (!path.startsWith("/") || path.endsWith("/") || path.contains("/../")
        || path.endsWith("/..") || path.endsWith("/.")) {
      throw new IllegalArgumentException(
          "Container path '" + path + "' must be an absolute file path like /ko-app/hello");
    }
    return path;
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }

  private static final class CountingOutputStream extends FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
