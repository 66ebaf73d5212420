package dev.hotreload.core.image;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.image.ImageSpec.Destination;
import dev.hotreload.core.image.ImageSpec.Kind;
import dev.hotreload.core.internal.image.BaseImage;
import dev.hotreload.core.internal.image.ImageName;
import dev.hotreload.core.internal.image.SourceDateEpoch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checks an {@link ImageBuilder}'s settings all at once and makes them an {@link ImageSpec}, so
 * that a caller fixes every problem in one round instead of one per build.
 */
final class ImageSpecCheck {
  private final ImageBuilder b;
  /** Settings that were never given; alone, they make an IllegalStateException. */
  private final List<String> missing = new ArrayList<>();
  /** Settings given with a bad value. */
  private final List<String> problems = new ArrayList<>();

  private ImageSpecCheck(ImageBuilder builder) {
    this.b = builder;
  }

  /**
   * The builder's settings as a spec.
   *
   * @throws IllegalArgumentException naming every bad setting and its value
   * @throws IllegalStateException if the binary or the destination is missing and nothing else
   *     is wrong
   */
  static ImageSpec of(ImageBuilder builder) {
    return new ImageSpecCheck(builder).check();
  }

  private ImageSpec check() {
    if (!Files.isDirectory(b.workspace)) {
      problems.add("workspace " + b.workspace + " is not a directory");
    }
    checkBase();
    List<Artifact> artifacts = List.copyOf(b.binaries.values());
    String binaryName = checkBinaries(artifacts);
    checkSupervisor(artifacts, binaryName);
    if (b.kodata != null && !Files.isDirectory(b.kodata)) {
      problems.add("kodata " + b.kodata + " is not a directory");
    }
    b.env.keySet().stream().filter(k -> k.isEmpty() || k.contains("="))
        .forEach(k -> problems.add("env name '" + k + "' must be non-empty and without '='"));
    b.labels.keySet().stream().filter(String::isBlank)
        .forEach(k -> problems.add("label name '" + k + "' must not be blank"));
    if (b.user != null && b.user.isBlank()) {
      problems.add("user '" + b.user + "' is blank: give a name or uid like 65532");
    }
    if (b.entrypoint != null && (b.entrypoint.isEmpty() || b.entrypoint.get(0).isBlank())) {
      problems.add("entrypoint " + b.entrypoint + " has no command");
    }
    Instant time = creationTime();
    checkDestination(artifacts);

    if (!problems.isEmpty() || !missing.isEmpty()) {
      List<String> all = new ArrayList<>(missing);
      all.addAll(problems);
      String message = "Invalid image configuration: " + String.join("; ", all);
      if (problems.isEmpty()) {
        throw new IllegalStateException(message);
      }
      throw new IllegalArgumentException(message);
    }
    return new ImageSpec(b.workspace, Optional.ofNullable(b.baseReference),
        Optional.ofNullable(b.baseArchive), artifacts, Optional.ofNullable(b.supervisorPath),
        Optional.ofNullable(b.supervisorFile), b.supervisorFiles, Optional.ofNullable(b.kodata),
        b.env, b.labels, Optional.ofNullable(b.user), Optional.ofNullable(b.entrypoint),
        // Image configs and tar headers keep whole seconds; a fraction would only make two
        // otherwise equal builds differ.
        time.with(ChronoField.NANO_OF_SECOND, 0), Optional.ofNullable(b.cacheDirectory),
        b.logger, b.destination);
  }

  private void checkBase() {
    if (b.baseReference != null) {
      try {
        BaseImage.parse(b.baseReference);
      } catch (IllegalArgumentException e) {
        problems.add("base " + e.getMessage());
      }
    } else if (b.baseArchive != null && !Files.isRegularFile(b.baseArchive)) {
      problems.add("base archive " + b.baseArchive + " is not a file");
    }
  }

  /** Checks the binaries and returns their one name, or null if there are none. */
  private String checkBinaries(List<Artifact> artifacts) {
    String binaryName = null;
    if (artifacts.isEmpty()) {
      missing.add("no binary: call binary(artifact) with a binary built for Linux, for example "
          + "by GoBuilder");
    }
    Set<String> names = new LinkedHashSet<>();
    for (Artifact a : artifacts) {
      names.add(a.binaryName());
      binaryName = a.binaryName();
      if (!a.platform().os().equals("linux")) {
        problems.add("binary " + a.path() + " is for " + a.platform()
            + ": images here are Linux images; build for linux/" + a.platform().architecture());
      }
      if (!Files.isRegularFile(a.path())) {
        problems.add("binary " + a.path() + " for " + a.platform() + " is not a file");
      }
    }
    if (names.size() > 1) {
      problems.add("binaries " + names + " have different names: one image holds one program, "
          + "built from one import path for each platform");
    }
    return binaryName;
  }

  private void checkSupervisor(List<Artifact> artifacts, String binaryName) {
    String path = b.supervisorPath;
    if (path == null) {
      return;
    }
    if (!path.startsWith("/") || path.endsWith("/") || path.contains("//")
        || Stream.of(path.split("/")).anyMatch(p -> p.equals(".") || p.equals(".."))) {
      problems.add("supervisor containerPath '" + path + "' must be an absolute, normalized "
          + "file path like /ko-app/hotreload-agent");
    } else if (binaryName != null && path.equals(ImageBuilder.KO_APP + "/" + binaryName)) {
      problems.add("supervisor containerPath '" + path + "' is where the binary goes; use "
          + "another name, like " + ImageBuilder.KO_APP + "/hotreload-agent");
    }
    b.supervisorFiles.keySet().stream().filter(p -> !b.binaries.containsKey(p)).forEach(p ->
        problems.add("supervisor file for " + p + " but no binary for " + p + "; binaries are for "
            + b.binaries.keySet()));
    for (Artifact a : artifacts) {
      Path file = b.supervisorFiles.getOrDefault(a.platform(), b.supervisorFile);
      if (file == null) {
        problems.add("supervisor has no file for " + a.platform() + ": give one with "
            + "supervisor(" + a.platform() + ", file, \"" + path + "\")");
      } else if (!Files.isRegularFile(file)) {
        problems.add("supervisor file " + file + " for " + a.platform() + " is not a file");
      }
    }
  }

  /**
   * The time set, else SOURCE_DATE_EPOCH's, else the epoch. A bad SOURCE_DATE_EPOCH is a problem
   * like any other, so the epoch stands in for it and the remaining checks still run.
   */
  private Instant creationTime() {
    if (b.creationTime != null) {
      return b.creationTime;
    }
    try {
      return SourceDateEpoch.parse(b.environment.get(SourceDateEpoch.NAME)).orElse(Instant.EPOCH);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return Instant.EPOCH;
    }
  }

  private void checkDestination(List<Artifact> artifacts) {
    Destination destination = b.destination;
    if (destination == null) {
      missing.add("no destination: call toRegistry(\"localhost:5000/app:dev\"), "
          + "toTar(file, \"app:dev\") or toDockerDaemon(\"app:dev\")");
      return;
    }
    try {
      if (ImageName.parse(destination.reference()).digestOnly()) {
        problems.add("destination '" + destination.reference() + "' has a digest but no tag: "
            + "images are pushed under a tag and the digest comes out of the build");
      }
    } catch (IllegalArgumentException e) {
      problems.add("destination " + e.getMessage());
    }
    if ((destination.kind() == Kind.DOCKER_DAEMON || destination.kind() == Kind.DOCKER_TAR)
        && artifacts.size() > 1) {
      problems.add((destination.kind() == Kind.DOCKER_TAR ? "toDockerTar" : "toDockerDaemon")
          + " takes one platform, not " + b.binaries.keySet()
          + ": push several to a registry or a tar");
    }
    Path parent = destination.tar().map(Path::getParent).orElse(null);
    if (parent != null && !Files.isDirectory(parent)) {
      problems.add("tar " + destination.tar().get() + " is in no existing directory");
    }
  }
}
