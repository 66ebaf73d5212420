package dev.hotreload.core.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.internal.image.LayerStaging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The layers ko adds to a base: supervisor, {@code kodata} and binary, each from staged copies
 * and with every entry dated, so that equal inputs give equal layer digests.
 */
final class KoLayers {
  private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");
  private static final FilePermissions REGULAR = FilePermissions.fromOctalString("644");

  private KoLayers() {}

  static FileEntriesLayer binary(
      LayerStaging staging, Artifact binary, String name, Instant time) throws IOException {
    Path staged = staging.file(binary.path(), "binary/" + platformDirectory(binary.platform()));
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("binary");
    addParents(layer, staging, ImageBuilder.KO_APP + "/" + name, time);
    return layer.addEntry(new FileEntry(staged,
        AbsoluteUnixPath.get(ImageBuilder.KO_APP + "/" + name), EXECUTABLE, time)).build();
  }

  static FileEntriesLayer supervisor(LayerStaging staging, Path file, Platform platform,
      String containerPath, Instant time) throws IOException {
    Path staged = staging.file(file, "supervisor/" + platformDirectory(platform));
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("supervisor");
    addParents(layer, staging, containerPath, time);
    return layer.addEntry(
        new FileEntry(staged, AbsoluteUnixPath.get(containerPath), EXECUTABLE, time)).build();
  }

  static FileEntriesLayer kodata(LayerStaging staging, Path staged, Instant time)
      throws IOException {
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("kodata");
    addParents(layer, staging, ImageBuilder.KO_DATA_PATH, time);
    layer.addEntry(new FileEntry(staging.emptyDirectory(),
        AbsoluteUnixPath.get(ImageBuilder.KO_DATA_PATH), EXECUTABLE, time));
    for (Path p : LayerStaging.walk(staged)) {
      AbsoluteUnixPath target = AbsoluteUnixPath.get(ImageBuilder.KO_DATA_PATH + "/"
          + staged.relativize(p).toString().replace('\\', '/'));
      boolean directory = Files.isDirectory(p);
      layer.addEntry(new FileEntry(p, target,
          directory || Files.isExecutable(p) ? EXECUTABLE : REGULAR, time));
    }
    return layer.build();
  }

  /**
   * Dates the parent directories too; jib-core would otherwise add them dated
   * 1970-01-01T00:00:01Z whatever SOURCE_DATE_EPOCH says.
   */
  private static void addParents(
      FileEntriesLayer.Builder layer, LayerStaging staging, String path, Instant time)
      throws IOException {
    Path empty = staging.emptyDirectory();
    String[] parts = path.substring(1).split("/");
    StringBuilder parent = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      parent.append('/').append(parts[i]);
      layer.addEntry(new FileEntry(empty, AbsoluteUnixPath.get(parent.toString()), EXECUTABLE,
          time));
    }
  }

  /** A platform as one path element, for staging and temporary layouts. */
  static String platformDirectory(Platform platform) {
    return platform.toString().replace('/', '-');
  }
}
