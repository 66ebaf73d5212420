package dev.hotreload.core.image;

import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An image's settings as {@link ImageBuilder#spec()} checks and returns them: immutable,
 * comparable with {@code equals}, and turned back into a builder with {@link #toBuilder()}. A
 * spec made with the constructor instead is checked when it is built, by {@code
 * toBuilder().build()}, since {@link ImageBuilder#build()} builds only what its own check passed.
 *
 * <p>Each component holds what one of the builder's fluent calls set, empty where it was not
 * called; {@link ImageBuilder} documents the defaults. The exception is the creation time, which
 * is resolved here (from {@code SOURCE_DATE_EPOCH}, else 1970-01-01) and cut to whole seconds, so
 * that a spec describes one image whatever the environment it is built in later.
 *
 * @param workspace the Go module's root, whose {@code .ko.yaml} and {@code kodata/} are read
 * @param baseReference the base as a registry reference or {@code scratch}, if set
 * @param baseArchive the base as an image archive, if set; never together with a reference
 * @param binaries the binaries, one for each platform, in the order the images are built
 * @param supervisorPath where the supervisor goes in the image, if there is one
 * @param supervisorFile the supervisor for every platform without a file of its own, if set
 * @param supervisorFiles the supervisor of each platform that has its own
 * @param kodata the directory shipped as {@code kodata}, if set instead of looked for
 * @param env environment variables set in the image, in the order they were set
 * @param labels image labels, in the order they were set
 * @param user the user the image runs as, if not the base's
 * @param entrypoint the entrypoint, if not {@code /ko-app/<binary name>}
 * @param creationTime when the image and its files are dated, in whole seconds
 * @param cacheDirectory the cache directory, if not {@code HOTRELOAD_CACHE} or the user cache
 * @param logger the receiver of progress and diagnostics
 * @param destination where the image goes
 */
public record ImageSpec(
    Path workspace,
    Optional<String> baseReference,
    Optional<Path> baseArchive,
    List<Artifact> binaries,
    Optional<String> supervisorPath,
    Optional<Path> supervisorFile,
    Map<Platform, Path> supervisorFiles,
    Optional<Path> kodata,
    Map<String, String> env,
    Map<String, String> labels,
    Optional<String> user,
    Optional<List<String>> entrypoint,
    Instant creationTime,
    Optional<Path> cacheDirectory,
    Consumer<LogEvent> logger,
    Destination destination) {

  /**
   * Checks that every component is there and copies the collections.
   *
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if both a base reference and a base archive are given
   */
  public ImageSpec {
    requirePresent("workspace", workspace, "baseReference", baseReference, "baseArchive",
        baseArchive, "supervisorPath", supervisorPath, "supervisorFile", supervisorFile,
        "kodata", kodata, "user", user, "creationTime", creationTime, "cacheDirectory",
        cacheDirectory, "logger", logger, "destination", destination);
    binaries = List.copyOf(binaries);
    supervisorFiles = Map.copyOf(supervisorFiles);
    env = ordered(env);
    labels = ordered(labels);
    entrypoint = entrypoint.map(List::copyOf);
    if (baseReference.isPresent() && baseArchive.isPresent()) {
      throw new IllegalArgumentException("base is both " + baseReference.get() + " and "
          + baseArchive.get() + ": give one");
    }
  }

  /** Names the first of the (name, value) pairs whose value is null. */
  private static void requirePresent(Object... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      Objects.requireNonNull(namesAndValues[i + 1], (String) namesAndValues[i]);
    }
  }

  /** Map.copyOf would lose the order, and the order is the image config's. */
  private static Map<String, String> ordered(Map<String, String> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /**
   * A new builder holding this spec's settings, to derive a changed copy; it reads the base
   * afresh at its first build, like any new builder.
   *
   * @return a new builder
   */
  public ImageBuilder toBuilder() {
    ImageBuilder builder = ImageBuilder.forWorkspace(workspace)
        .creationTime(creationTime)
        .logger(logger);
    baseReference.ifPresent(builder::base);
    baseArchive.ifPresent(builder::base);
    binaries.forEach(builder::binary);
    supervisorPath.ifPresent(path -> {
      supervisorFile.ifPresent(file -> builder.supervisor(file, path));
      supervisorFiles.forEach((platform, file) -> builder.supervisor(platform, file, path));
    });
    kodata.ifPresent(builder::kodata);
    env.forEach(builder::env);
    labels.forEach(builder::label);
    user.ifPresent(builder::user);
    entrypoint.ifPresent(builder::entrypoint);
    cacheDirectory.ifPresent(builder::cacheDirectory);
    return switch (destination.kind()) {
      case REGISTRY -> builder.toRegistry(destination.reference());
      case TAR -> builder.toTar(destination.tar().orElseThrow(), destination.reference());
      case DOCKER_TAR ->
          builder.toDockerTar(destination.tar().orElseThrow(), destination.reference());
      case DOCKER_DAEMON -> builder.toDockerDaemon(destination.reference());
    };
  }

  /**
   * Where an image goes.
   *
   * @param kind a registry, a tar or the Docker daemon
   * @param reference the tag to push under, or the image's name in the tar or the daemon
   * @param tar the tar file, for {@link Kind#TAR} and {@link Kind#DOCKER_TAR} only
   */
  public record Destination(Kind kind, String reference, Optional<Path> tar) {

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if a tar is given for a kind other than {@link Kind#TAR}
     *     and {@link Kind#DOCKER_TAR}, or none for those kinds
     */
    public Destination {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reference, "reference");
      if (tar.isPresent() != (kind == Kind.TAR || kind == Kind.DOCKER_TAR)) {
        throw new IllegalArgumentException("destination " + kind + " " + reference
            + ": a tar file goes with TAR and DOCKER_TAR and only those");
      }
    }
  }

  /** The kinds of destination, one for each of {@link ImageBuilder}'s {@code to…} calls. */
  public enum Kind {
    /** {@link ImageBuilder#toRegistry(String)}. */
    REGISTRY,
    /** {@link ImageBuilder#toTar(Path, String)}. */
    TAR,
    /** {@link ImageBuilder#toDockerTar(Path, String)}. */
    DOCKER_TAR,
    /** {@link ImageBuilder#toDockerDaemon(String)}. */
    DOCKER_DAEMON
  }
}
