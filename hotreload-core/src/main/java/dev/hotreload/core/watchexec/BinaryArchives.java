package dev.hotreload.core.watchexec;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Takes one executable out of a downloaded release file, whatever its packaging: {@code .tar.gz},
 * {@code .tar.xz}, {@code .zip}, a gzip- or xz-compressed binary, or the bare binary. The
 * packaging is recognised by its first bytes, not by the URL's name, which redirects and
 * query strings make unreliable. Stateless and thread-safe.
 */
public final class BinaryArchives {
  private static final byte[] GZIP = {0x1f, (byte) 0x8b};
  private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
  private static final byte[] ZIP = {'P', 'K', 3, 4};
  private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};
  private static final byte[] USTAR = {'u', 's', 't', 'a', 'r'};
  private static final int SNIFF = 512;

  private BinaryArchives() {}

  /**
   * Copies the regular file named {@code name} (in any directory of the archive) to {@code out}.
   *
   * @param archive the downloaded file
   * @param name the executable's file name, like {@code watchexec}
   * @param out where to write it (replaced)
   * @return a description of what was found, like {@code watchexec-2.3.2-x86_64/watchexec in a
   *     tar.xz}, or empty if the file holds no such executable
   * @throws IOException if the file cannot be read or is a damaged archive
   */
  public static Optional<String> extract(Path archive, String name, Path out) throws IOException {
    byte[] head = head(archive);
    if (startsWith(head, ZIP)) {
      return fromZip(archive, name, out);
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
      if (startsWith(head, GZIP)) {
        return fromStream(new GzipCompressorInputStream(raw, true), name, out, "gzip");
      }
      if (startsWith(head, XZ)) {
        return fromStream(new XZCompressorInputStream(raw), name, out, "xz");
      }
      return fromStream(raw, name, out, null);
    }
  }

  private static Optional<String> fromStream(
      InputStream in, String name, Path out, String compression) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
    buffered.mark(SNIFF);
    byte[] head = buffered.readNBytes(SNIFF);
    buffered.reset();
    String suffix = compression == null ? "" : "." + (compression.equals("gzip") ? "gz" : "xz");
    if (startsWith(head, ELF)) {
      Files.copy(buffered, out, StandardCopyOption.REPLACE_EXISTING);
      return Optional.of(compression == null ? "a bare binary" : "a " + compression + " binary");
    }
    if (head.length >= 262 && Arrays.equals(head, 257, 262, USTAR, 0, 5)) {
      TarArchiveInputStream tar = new TarArchiveInputStream(buffered);
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        if (entry.isFile() && baseName(entry.getName()).equals(name)) {
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          return Optional.of(entry.getName() + " in a tar" + suffix);
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> fromZip(Path archive, String name, Path out) throws IOException {
    try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
      for (Enumeration<ZipArchiveEntry> e = zip.getEntries(); e.hasMoreElements(); ) {
        ZipArchiveEntry entry = e.nextElement();
        if (!entry.isDirectory() && !entry.isUnixSymlink()
            && baseName(entry.getName()).equals(name)) {
          try (InputStream in = zip.getInputStream(entry)) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
          }
          return Optional.of(entry.getName() + " in a zip");
        }
      }
    }
    return Optional.empty();
  }

  private static byte[] head(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(SNIFF);
    }
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static String baseName(String entryName) {
    String trimmed = entryName.endsWith("/") ? entryName.substring(0, entryName.length() - 1)
        : entryName;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }
}
