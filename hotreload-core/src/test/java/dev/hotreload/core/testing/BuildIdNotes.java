package dev.hotreload.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The oracle's view of a Go binary: its bytes with the two build-ID notes' contents zeroed —
 * {@code .note.go.buildid} (the go command's action and content IDs) and {@code
 * .note.gnu.build-id} (which the linker derives from it). Two binaries equal in this view differ
 * at most in those IDs.
 */
public final class BuildIdNotes {
  private static final byte[] GO_NOTE = {4, 0, 0, 0, 0x53, 0, 0, 0, 4, 0, 0, 0, 'G', 'o', 0, 0};
  private static final byte[] GNU_NOTE = {4, 0, 0, 0, 0x14, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0};

  private BuildIdNotes() {}

  /**
   * Reads a little-endian ELF Go binary with its build IDs zeroed.
   *
   * @param binary the binary
   * @return its bytes, the notes' descriptions zeroed
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if it has not exactly one Go build ID note
   */
  public static byte[] zeroed(Path binary) throws IOException {
    byte[] bytes = Files.readAllBytes(binary);
    zero(bytes, GO_NOTE, 0x53, true, binary);
    zero(bytes, GNU_NOTE, 0x14, false, binary);
    return bytes;
  }

  private static void zero(byte[] bytes, byte[] header, int length, boolean required, Path file) {
    int found = 0;
    for (int i = 0; i + header.length + length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + header.length, header, 0, header.length)) {
        Arrays.fill(bytes, i + header.length, i + header.length + length, (byte) 0);
        found++;
        i += header.length + length - 1;
      }
    }
    if (found > 1 || (required && found == 0)) {
      throw new IllegalArgumentException(file + " has " + found + " notes like "
          + new String(header, 12, 4).strip() + "; expected one");
    }
  }
}
