package dev.hotreload.k8s.testing;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A base image for the seed design's watchexec mode, built from this machine's files because no
 * image can be pulled here: BusyBox (Debian's {@code busybox-static}) as {@code /bin/tar}, and the
 * glibc loader and libraries a glibc-linked watchexec needs. Like a distroless "base" image plus
 * tar.
 */
public final class BusyboxGlibcBase {
  private static final List<String> LIBRARIES = List.of(
      "/lib64/ld-linux-x86-64.so.2",
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/lib/x86_64-linux-gnu/libm.so.6",
      "/lib/x86_64-linux-gnu/libgcc_s.so.1");

  private BusyboxGlibcBase() {}

  /**
   * Writes the base image as a tar.
   *
   * @param file where to write it
   * @return the file
   * @throws Exception if a file is missing (the message names the Debian package) or jib fails
   */
  public static Path build(Path file) throws Exception {
    Path busybox = Path.of("/bin/busybox");
    if (!Files.isRegularFile(busybox)) {
      throw new IllegalStateException("/bin/busybox is missing: run scripts/host-packages "
          + "(it installs Debian's busybox-static)");
    }
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("busybox-glibc");
    FilePermissions exec = FilePermissions.fromOctalString("755");
    layer.addEntry(busybox, AbsoluteUnixPath.get("/bin/tar"), exec, Instant.EPOCH);
    layer.addEntry(busybox, AbsoluteUnixPath.get("/bin/sh"), exec, Instant.EPOCH);
    // Lets a test ask what the container holds without trusting the transport under test.
    layer.addEntry(busybox, AbsoluteUnixPath.get("/bin/sha256sum"), exec, Instant.EPOCH);
    for (String library : LIBRARIES) {
      Path real = Path.of(library).toRealPath();
      if (!Files.isRegularFile(real)) {
        throw new IllegalStateException(library + " is missing: this base copies glibc from the "
            + "host (Debian libc6, libgcc-s1: scripts/host-packages installs them)");
      }
      layer.addEntry(real, AbsoluteUnixPath.get(library), exec, Instant.EPOCH);
    }
    Jib.fromScratch()
        .addFileEntriesLayer(layer.build())
        .setCreationTime(Instant.EPOCH)
        .containerize(Containerizer.to(TarImage.at(file).named("hotreload-it/busybox-glibc:base")));
    return file;
  }
}
