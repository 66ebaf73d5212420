package dev.hotreload.core.image;

import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.image.ImageSpec.Destination;
import dev.hotreload.core.image.ImageSpec.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds a development image the way ko lays one out, with jib-core: no Dockerfile, no Docker.
 *
 * <p>On the base image (by default the workspace's {@code .ko.yaml} {@code defaultBaseImage} or
 * {@code baseImageOverrides} entry, else {@code scratch}) it adds up to three layers, each its own
 * so that rebuilding the binary leaves the others' digests alone:
 *
 * <ol>
 *   <li>the supervisor, if set: one file at an absolute path, mode 0755 (the in-container agent,
 *       say {@code /ko-app/hotreload-agent});
 *   <li>{@code kodata/} at {@code /var/run/ko}, with {@code KO_DATA_PATH=/var/run/ko}, when the
 *       main package's directory or the workspace has one;
 *   <li>the binary at {@code /ko-app/<last element of the import path>}, mode 0755, the
 *       entrypoint unless {@link #entrypoint(List)} says otherwise.
 * </ol>
 *
 * <p>{@code PATH} is the base's (or the usual default) with {@code /ko-app} appended. Times are
 * {@code SOURCE_DATE_EPOCH} (or {@link #creationTime(Instant)}, else 1970-01-01) for the image's
 * creation and every file, so the same inputs give the same digest.
 *
 * <p>One binary per platform: one platform gives one image; several give one image per platform
 * (each with its own binary and supervisor) and an OCI image index over them. jib-core builds
 * only single-platform images with distinct layers, so for a registry each platform's image is
 * pushed under the destination tag in turn and the index is then put under the same tag (the tag
 * names a single-platform image for the moment in between); for a tar, each platform's image is
 * built into a temporary layout and the layouts are merged into one, whose {@code index.json}
 * names the index.
 *
 * <p>The base is read by the first {@link #build()} only: a registry base is pinned there to the
 * digest its tag names, pulled (every manifest and blob checked against its digest) and kept in
 * the cache as an archive; an archive base is copied into the cache. Later builds, and later
 * builders with the base pinned by digest, start from the cached copy without asking the base's
 * registry anything. Loopback registries ({@code localhost}, {@code 127.0.0.1}) are spoken to
 * over plain http; every other over verified https, with the credentials of {@code
 * ~/.docker/config.json} and its helpers.
 *
 * <p>As in a Dockerfile, setting the entrypoint drops the base's {@code CMD}. An OCI config has
 * no place jib-core fills for a CPU variant: {@code linux/arm/v7} is written as {@code arm} in
 * the config, and with its variant in the image index. Like jib-core, the layers carry their
 * parent directories ({@code /var}, {@code /var/run}); on a base where {@code /var/run} is a
 * symbolic link to {@code /run}, it becomes a directory in the image.
 *
 * <p>{@link #spec()} checks every setting, reports all problems together and returns the
 * settings as an immutable {@link ImageSpec}; {@link #build()} is that check followed by the
 * build, and {@link ImageSpec#toBuilder()} starts a new builder from a spec.
 *
 * <p>A builder is mutable and not thread-safe. It may build many times: {@link
 * #binary(Artifact)} replaces the binary of its platform, so a rebuild is {@code
 * builder.binary(newArtifact).build()}.
 *
 * <pre>{@code
 * BuiltImage image = ImageBuilder.forWorkspace(workspace)
 *     .binary(artifact)
 *     .supervisor(agent, "/ko-app/hotreload-agent")
 *     .entrypoint(List.of("/ko-app/hotreload-agent", "run", "--", "/ko-app/server"))
 *     .toRegistry("localhost:5000/hello:dev")
 *     .build();
 * }</pre>
 */
public final class ImageBuilder {
  /** The directory ko puts binaries in; on {@code PATH} in the image. */
  public static final String KO_APP = "/ko-app";

  /** Where ko puts {@code kodata/}, and the value of {@code KO_DATA_PATH}. */
  public static final String KO_DATA_PATH = "/var/run/ko";

  // Package-private for ImageSpecCheck, which reads them all, as HotReloadSpec reads its
  // Configurator's.
  final Path workspace;
  String baseReference;
  Path baseArchive;
  final Map<Platform, Artifact> binaries = new LinkedHashMap<>();
  String supervisorPath;
  Path supervisorFile;
  final Map<Platform, Path> supervisorFiles = new LinkedHashMap<>();
  Path kodata;
  final Map<String, String> env = new LinkedHashMap<>();
  final Map<String, String> labels = new LinkedHashMap<>();
  String user;
  List<String> entrypoint;
  Instant creationTime;
  Path cacheDirectory;
  Consumer<LogEvent> logger = event -> {};
  Destination destination;
  Map<String, String> environment = System.getenv();
  private final BaseImageCache bases = new BaseImageCache();

  private ImageBuilder(Path workspace) {
    this.workspace = workspace;
  }

  /**
   * Starts an image builder for the Go module rooted at {@code workspace}, whose {@code
   * .ko.yaml} and {@code kodata/} it reads.
   *
   * @param workspace the directory holding go.mod
   * @return a new builder
   */
  public static ImageBuilder forWorkspace(Path workspace) {
    return new ImageBuilder(Objects.requireNonNull(workspace, "workspace"));
  }

  /**
   * Builds on an image in a registry, or on nothing with {@code scratch}; overrides {@code
   * .ko.yaml}.
   *
   * @param reference {@code scratch} or a reference like {@code gcr.io/distroless/static:nonroot}
   * @return this
   */
  public ImageBuilder base(String reference) {
    this.baseReference = Objects.requireNonNull(reference, "base");
    this.baseArchive = null;
    return this;
  }

  /**
   * Builds on an image archive: an OCI image layout tar (as jib, ko, {@code docker buildx
   * --output type=oci} and this class write) or a {@code docker save} tar; with several images
   * in it, the one for each platform. Overrides {@code .ko.yaml}.
   *
   * @param archive the tar file
   * @return this
   */
  public ImageBuilder base(Path archive) {
    this.baseArchive = Objects.requireNonNull(archive, "base");
    this.baseReference = null;
    return this;
  }

  /**
   * Sets the binary for its platform, replacing an earlier one for the same platform. Each
   * platform given gets an image.
   *
   * @param binary a binary built for a Linux platform, for example by {@link dev.hotreload.core.build.GoBuilder}
   * @return this
   */
  public ImageBuilder binary(Artifact binary) {
    Objects.requireNonNull(binary, "binary");
    binaries.put(binary.platform(), binary);
    return this;
  }

  /**
   * Adds a supervisor layer: {@code file} at {@code containerPath}, mode 0755, for every
   * platform that has no file of its own from {@link #supervisor(Platform, Path, String)}.
   *
   * @param file the file, for example the agent built for the one platform
   * @param containerPath an absolute path in the image, for example {@code
   *     /ko-app/hotreload-agent}
   * @return this
   */
  public ImageBuilder supervisor(Path file, String containerPath) {
    this.supervisorFile = Objects.requireNonNull(file, "supervisor file");
    this.supervisorPath = Objects.requireNonNull(containerPath, "supervisor containerPath");
    return this;
  }

  /**
   * Adds a supervisor layer for one platform: {@code file} at {@code containerPath}, mode 0755.
   * All platforms share the path.
   *
   * @param platform the platform the file is built for
   * @param file the file
   * @param containerPath an absolute path in the image
   * @return this
   */
  public ImageBuilder supervisor(Platform platform, Path file, String containerPath) {
    supervisorFiles.put(Objects.requireNonNull(platform, "platform"),
        Objects.requireNonNull(file, "supervisor file"));
    this.supervisorPath = Objects.requireNonNull(containerPath, "supervisor containerPath");
    return this;
  }

  /**
   * Ships this directory as {@code kodata} instead of looking for one: ko's place (the main
   * package's {@code kodata/}), then the workspace's {@code kodata/}.
   *
   * @param directory the directory
   * @return this
   */
  public ImageBuilder kodata(Path directory) {
    this.kodata = Objects.requireNonNull(directory, "kodata");
    return this;
  }

  /**
   * Sets an environment variable in the image; {@code PATH} here replaces the computed one.
   *
   * @param name the variable
   * @param value its value
   * @return this
   */
  public ImageBuilder env(String name, String value) {
    env.put(Objects.requireNonNull(name, "env name"), Objects.requireNonNull(value, "env value"));
    return this;
  }

  /**
   * Sets an image label.
   *
   * @param name the label, for example {@code org.opencontainers.image.source}
   * @param value its value
   * @return this
   */
  public ImageBuilder label(String name, String value) {
    labels.put(Objects.requireNonNull(name, "label name"),
        Objects.requireNonNull(value, "label value"));
    return this;
  }

  /**
   * Sets the user the image runs as, instead of the base's.
   *
   * @param user a name or {@code uid[:gid]}, like {@code 65532}
   * @return this
   */
  public ImageBuilder user(String user) {
    this.user = Objects.requireNonNull(user, "user");
    return this;
  }

  /**
   * Replaces the entrypoint, {@code /ko-app/<name>} by default; the agent mode sets {@code
   * [/ko-app/hotreload-agent, run, --, /ko-app/<name>]}.
   *
   * @param entrypoint the command and its arguments
   * @return this
   */
  public ImageBuilder entrypoint(List<String> entrypoint) {
    this.entrypoint = List.copyOf(entrypoint);
    return this;
  }

  /**
   * Dates the image and its files, instead of {@code SOURCE_DATE_EPOCH} or 1970-01-01.
   *
   * @param time the time; whole seconds are kept
   * @return this
   */
  public ImageBuilder creationTime(Instant time) {
    this.creationTime = Objects.requireNonNull(time, "creationTime");
    return this;
  }

  /**
   * Keeps jib-core's layer caches, staged files and base copies under {@code
   * <directory>/image} instead of {@code HOTRELOAD_CACHE} or the user cache.
   *
   * @param directory the cache directory
   * @return this
   */
  public ImageBuilder cacheDirectory(Path directory) {
    this.cacheDirectory = Objects.requireNonNull(directory, "cacheDirectory");
    return this;
  }

  /**
   * Receives progress and diagnostics, jib-core's included; called on jib-core's threads.
   *
   * @param logger the receiver; must not block
   * @return this
   */
  public ImageBuilder logger(Consumer<LogEvent> logger) {
    this.logger = Objects.requireNonNull(logger, "logger");
    return this;
  }

  /**
   * Pushes the image to a registry under a tag, replacing another destination.
   *
   * @param reference for example {@code localhost:5000/hello:dev}
   * @return this
   */
  public ImageBuilder toRegistry(String reference) {
    destination = new Destination(Kind.REGISTRY, Objects.requireNonNull(reference, "reference"),
        Optional.empty());
    return this;
  }

  /**
   * Writes the image as an OCI image layout tar (loadable with {@code docker load} 25+, {@code
   * ctr images import}, {@code skopeo copy oci-archive:}), replacing another destination.
   *
   * @param file the tar to write
   * @param reference the image's name in the tar, for example {@code hello:dev}
   * @return this
   */
  public ImageBuilder toTar(Path file, String reference) {
    destination = new Destination(Kind.TAR, Objects.requireNonNull(reference, "reference"),
        Optional.of(Objects.requireNonNull(file, "file")));
    return this;
  }

  /**
   * Writes the image as a tar in Docker's format, which {@code docker load} and Docker's image
   * load API read (Docker before 25 does not read OCI archives), replacing another destination.
   * One platform only.
   *
   * @param file the tar to write
   * @param reference the image's name in the tar, for example {@code hello:dev}
   * @return this
   */
  public ImageBuilder toDockerTar(Path file, String reference) {
    destination = new Destination(Kind.DOCKER_TAR, Objects.requireNonNull(reference, "reference"),
        Optional.of(Objects.requireNonNull(file, "file")));
    return this;
  }

  /**
   * Loads the image into the local Docker daemon with {@code docker load}, in Docker's format,
   * replacing another destination. One platform only. Not covered by this project's tests, which
   * run without a Docker daemon.
   *
   * @param reference the name to load it as, for example {@code hello:dev}
   * @return this
   */
  public ImageBuilder toDockerDaemon(String reference) {
    destination = new Destination(Kind.DOCKER_DAEMON,
        Objects.requireNonNull(reference, "reference"), Optional.empty());
    return this;
  }

  /** Reads SOURCE_DATE_EPOCH from this map instead of the process environment; for tests. */
  ImageBuilder environment(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    return this;
  }

  /**
   * Checks every setting and returns them as an immutable spec, reporting all problems at once.
   *
   * @return the settings, with the creation time resolved
   * @throws IllegalArgumentException naming every bad setting and its value
   * @throws IllegalStateException if the binary or the destination is missing and nothing else
   *     is wrong
   */
  public ImageSpec spec() {
    return ImageSpecCheck.of(this);
  }

  /**
   * Checks every setting, then builds the image and sends it to the destination.
   *
   * @return the image
   * @throws IllegalArgumentException naming every bad setting and its value
   * @throws IllegalStateException if the binary or the destination is missing
   * @throws IOException if a file cannot be read, the base cannot be had, or the destination
   *     refuses the image; the message says which and what to do
   * @throws InterruptedException if the thread is interrupted while jib-core works
   */
  public BuiltImage build() throws IOException, InterruptedException {
    long started = System.nanoTime();
    return ImageAssembler.assemble(spec(), bases, started);
  }
}
