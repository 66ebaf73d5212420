package dev.hotreload.k8s.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The manifest files a dev session applies: files as given, directories' YAML files in order. */
final class ManifestFiles {
  /** One file and its text. */
  record File(Path path, String text) {}

  private ManifestFiles() {}

  static List<File> read(List<Path> paths) throws IOException {
    List<File> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        List<Path> yaml;
        try (Stream<Path> walk = Files.walk(path)) {
          yaml = walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted().toList();
        }
        if (yaml.isEmpty()) {
          throw new IOException("Manifest directory " + path + " holds no .yaml or .yml file");
        }
        for (Path file : yaml) {
          files.add(new File(file, Files.readString(file, StandardCharsets.UTF_8)));
        }
      } else if (Files.isRegularFile(path)) {
        files.add(new File(path, Files.readString(path, StandardCharsets.UTF_8)));
      } else {
        throw new IOException("Manifest " + path.toAbsolutePath() + " does not exist");
      }
    }
    return files;
  }
}
