package dev.hotreload.core.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;

/**
 * A compiled Go package ({@code go tool compile -pack}): an ar archive whose {@code __.PKGDEF}
 * member holds the export data that importers compile against.
 */
final class GoArchive {
  private static final byte[] BUILD_ID_LINE = "\nbuild id \"".getBytes(StandardCharsets.US_ASCII);

  private GoArchive() {}

  /**
   * The export data of a compiled package without its build ID line: equal bytes mean importers
   * compile to the same code against either version.
   *
   * @param archive the package archive
   * @return the {@code __.PKGDEF} member minus the {@code build id "…"} line
   * @throws IOException if the file is not a Go package archive
   */
  static byte[] exportData(Path archive) throws IOException {
    try (InputStream file = Files.newInputStream(archive);
        ArArchiveInputStream ar = new ArArchiveInputStream(file)) {
      ArArchiveEntry entry;
      while ((entry = ar.getNextEntry()) != null) {
        if (entry.getName().equals("__.PKGDEF")) {
          return withoutBuildId(ar.readAllBytes());
        }
      }
    }
    throw new IOException(archive + " is not a Go package archive: it has no __.PKGDEF");
  }

  private static byte[] withoutBuildId(byte[] pkgdef) {
    int id = indexOf(pkgdef, BUILD_ID_LINE, 0);
    if (id < 0) {
      return pkgdef;
    }
    int lineEnd = indexOf(pkgdef, new byte[] {'\n'}, id + 1);
    lineEnd = lineEnd < 0 ? pkgdef.length : lineEnd;
    byte[] out = new byte[pkgdef.length - (lineEnd - id)];
    System.arraycopy(pkgdef, 0, out, 0, id);
    System.arraycopy(pkgdef, lineEnd, out, id, pkgdef.length - lineEnd);
    return out;
  }

  private static int indexOf(byte[] bytes, byte[] needle, int from) {
    for (int i = from; i <= bytes.length - needle.length; i++) {
      if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
