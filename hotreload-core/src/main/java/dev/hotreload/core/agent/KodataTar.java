package dev.hotreload.core.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** A kodata directory as the tar {@code agent kodata} reads: files, directories, symlinks. */
final class KodataTar {
  private KodataTar() {}

  static byte[] of(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new IOException("kodata directory " + directory + " does not exist");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
        Stream<Path> walk = Files.walk(directory)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      List<Path> paths = walk.filter(p -> !p.equals(directory)).sorted().toList();
      for (Path path : paths) {
        String name = directory.relativize(path).toString().replace('\\', '/');
        TarArchiveEntry entry;
        if (Files.isSymbolicLink(path)) {
          entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
          entry.setLinkName(Files.readSymbolicLink(path).toString());
        } else if (Files.isDirectory(path)) {
          entry = new TarArchiveEntry(name + "/");
        } else {
          entry = new TarArchiveEntry(name);
          entry.setSize(Files.size(path));
          entry.setMode(Files.isExecutable(path) ? 0755 : 0644);
        }
        tar.putArchiveEntry(entry);
        if (entry.isFile()) {
          Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
