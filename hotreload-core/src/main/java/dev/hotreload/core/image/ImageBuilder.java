package dev.hotreload.core.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DockerDaemonImage;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.build.CacheDirectory;
import dev.hotreload.core.build.KoConfig;
import dev.hotreload.core.internal.image.BaseImage;
import dev.hotreload.core.internal.image.BaseImages;
import dev.hotreload.core.internal.image.ImageArchive;
import dev.hotreload.core.internal.image.ImageName;
import dev.hotreload.core.internal.image.Kodata;
import dev.hotreload.core.internal.image.LayerStaging;
import dev.hotreload.core.internal.image.OciJson.Descriptor;
import dev.hotreload.core.internal.image.OciJson;
import dev.hotreload.core.internal.image.RegistryHttp;
import dev.hotreload.core.internal.image.SourceDateEpoch;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Stream;

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

  /** {@code PATH} when the base sets none (Docker's and ko's default). */
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");
  private static final FilePermissions REGULAR = FilePermissions.fromOctalString("644");
  private static final String TOOL_NAME = "hotreload/jib-core";

  private enum Kind { REGISTRY, TAR, DOCKER_DAEMON }

  private record Destination(Kind kind, String reference, Path tar) {}

  private final Path workspace;
  private String baseReference;
  private Path baseArchive;
  private final Map<Platform, Artifact> binaries = new LinkedHashMap<>();
  private String supervisorPath;
  private Path supervisorFile;
  private final Map<Platform, Path> supervisorFiles = new LinkedHashMap<>();
  private Path kodata;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Map<String, String> labels = new LinkedHashMap<>();
  private String user;
  private List<String> entrypoint;
  private Instant creationTime;
  private Path cacheDirectory;
  private Consumer<LogEvent> logger = event -> {};
  private Destination destination;
  private Map<String, String> environment = System.getenv();
  private BaseImages bases;
  private Path basesDirectory;

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
   * @param binary a binary built for a Linux platform, for example by {@link GoBuilder}
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
        null);
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
        Objects.requireNonNull(file, "file"));
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
        Objects.requireNonNull(reference, "reference"), null);
    return this;
  }

  /** Reads SOURCE_DATE_EPOCH from this map instead of the process environment; for tests. */
  ImageBuilder environment(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    return this;
  }

  /** Everything {@link #build()} checked, ready to use. */
  private record Plan(Optional<BaseImage> base, ImageName destinationName, Instant time,
      List<Artifact> binaries, Map<Platform, Path> supervisors, String binaryName) {}

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
    Plan plan = plan();
    Path imageCache = (cacheDirectory != null ? cacheDirectory : CacheDirectory.resolve())
        .resolve("image");
    if (bases == null || !imageCache.resolve("base").equals(basesDirectory)) {
      basesDirectory = imageCache.resolve("base");
      bases = new BaseImages(basesDirectory, logger);
    }
    Artifact first = plan.binaries().get(0);
    BaseImage base = plan.base().isPresent() ? plan.base().get() : koYamlBase(first);
    LayerStaging staging = new LayerStaging(imageCache.resolve("stage"));
    Optional<Path> kodataSource = kodata != null
        ? Optional.of(kodata) : Kodata.find(workspace, first.importPath());
    Optional<Path> stagedKodata = kodataSource.isPresent()
        ? Optional.of(staging.tree(kodataSource.get(), "kodata")) : Optional.empty();
    List<String> effectiveEntrypoint =
        entrypoint != null ? entrypoint : List.of(KO_APP + "/" + plan.binaryName());

    Map<Platform, JibContainerBuilder> images = new LinkedHashMap<>();
    // jib-core has one switch for plain http; only the destination needs it, as the base never
    // reaches jib-core as a registry image.
    boolean insecure = plan.destinationName().loopback();
    for (Artifact binary : plan.binaries()) {
      Platform platform = binary.platform();
      BaseImages.Resolved resolved = bases.resolve(base, platform);
      JibContainerBuilder jib = resolved.jib();
      Path supervisor = plan.supervisors().get(platform);
      if (supervisor != null) {
        jib.addFileEntriesLayer(supervisorLayer(staging, supervisor, platform, plan.time()));
      }
      if (stagedKodata.isPresent()) {
        jib.addFileEntriesLayer(kodataLayer(staging, stagedKodata.get(), plan.time()));
      }
      jib.addFileEntriesLayer(binaryLayer(staging, binary, plan.binaryName(), plan.time()));
      Map<String, String> imageEnv = new LinkedHashMap<>();
      imageEnv.put("PATH", withKoApp(resolved.path().orElse(DEFAULT_PATH)));
      if (stagedKodata.isPresent()) {
        imageEnv.put("KO_DATA_PATH", KO_DATA_PATH);
      }
      imageEnv.putAll(env);
      jib.setEnvironment(imageEnv)
          .setEntrypoint(effectiveEntrypoint)
          .setCreationTime(plan.time())
          .setFormat(
              destination.kind() == Kind.DOCKER_DAEMON ? ImageFormat.Docker : ImageFormat.OCI);
      labels.forEach(jib::addLabel);
      if (user != null) {
        jib.setUser(user);
      }
      images.put(platform, jib);
    }

    String reference;
    String digest;
    switch (destination.kind()) {
      case REGISTRY -> {
        ImageName name = plan.destinationName();
        digest = pushToRegistry(name, images, imageCache, insecure);
        reference = name.pinned(digest);
      }
      case TAR -> {
        digest = writeTar(images, imageCache, insecure);
        reference = destination.reference();
      }
      default -> {
        JibContainer container = containerize(images.values().iterator().next(),
            Containerizer.to(DockerDaemonImage.named(plan.destinationName().jib())), imageCache,
            insecure, "Docker daemon");
        digest = container.getImageId().toString();
        reference = destination.reference();
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    logger.accept(LogEvent.info("Built " + reference + " for " + images.keySet() + " in "
        + took.toMillis() + " ms"));
    return new BuiltImage(reference, digest, List.copyOf(images.keySet()), effectiveEntrypoint,
        took);
  }

  private Plan plan() {
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    if (!Files.isDirectory(workspace)) {
      problems.add("workspace " + workspace + " is not a directory");
    }
    Optional<BaseImage> base = Optional.empty();
    if (baseReference != null) {
      try {
        base = Optional.of(BaseImage.parse(baseReference));
      } catch (IllegalArgumentException e) {
        problems.add("base " + e.getMessage());
      }
    } else if (baseArchive != null) {
      if (!Files.isRegularFile(baseArchive)) {
        problems.add("base archive " + baseArchive + " is not a file");
      }
      base = Optional.of(new BaseImage.Archive(baseArchive));
    }

    List<Artifact> artifacts = new ArrayList<>(binaries.values());
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

    Map<Platform, Path> supervisors = new LinkedHashMap<>();
    if (supervisorPath != null) {
      String path = supervisorPath;
      if (!path.startsWith("/") || path.endsWith("/") || path.contains("//")
          || Stream.of(path.split("/")).anyMatch(p -> p.equals(".") || p.equals(".."))) {
        problems.add("supervisor containerPath '" + path + "' must be an absolute, normalized "
            + "file path like /ko-app/hotreload-agent");
      } else if (binaryName != null && path.equals(KO_APP + "/" + binaryName)) {
        problems.add("supervisor containerPath '" + path + "' is where the binary goes; use "
            + "another name, like " + KO_APP + "/hotreload-agent");
      }
      supervisorFiles.keySet().stream().filter(p -> !binaries.containsKey(p)).forEach(p ->
          problems.add("supervisor file for " + p + " but no binary for " + p + "; binaries are for "
              + binaries.keySet()));
      for (Artifact a : artifacts) {
        Path file = supervisorFiles.getOrDefault(a.platform(), supervisorFile);
        if (file == null) {
          problems.add("supervisor has no file for " + a.platform() + ": give one with "
              + "supervisor(" + a.platform() + ", file, \"" + path + "\")");
        } else if (!Files.isRegularFile(file)) {
          problems.add("supervisor file " + file + " for " + a.platform() + " is not a file");
        } else {
          supervisors.put(a.platform(), file);
        }
      }
    }
    if (kodata != null && !Files.isDirectory(kodata)) {
      problems.add("kodata " + kodata + " is not a directory");
    }
    env.keySet().stream().filter(k -> k.isEmpty() || k.contains("="))
        .forEach(k -> problems.add("env name '" + k + "' must be non-empty and without '='"));
    labels.keySet().stream().filter(String::isBlank)
        .forEach(k -> problems.add("label name '" + k + "' must not be blank"));
    if (user != null && user.isBlank()) {
      problems.add("user '" + user + "' is blank: give a name or uid like 65532");
    }
    if (entrypoint != null && (entrypoint.isEmpty() || entrypoint.get(0).isBlank())) {
      problems.add("entrypoint " + entrypoint + " has no command");
    }

    Instant time = creationTime;
    if (time == null) {
      try {
        time = SourceDateEpoch.parse(environment.get(SourceDateEpoch.NAME)).orElse(Instant.EPOCH);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }

    ImageName destinationName = null;
    if (destination == null) {
      missing.add("no destination: call toRegistry(\"localhost:5000/app:dev\"), "
          + "toTar(file, \"app:dev\") or toDockerDaemon(\"app:dev\")");
    } else {
      try {
        destinationName = ImageName.parse(destination.reference());
        if (destinationName.digestOnly()) {
          problems.add("destination '" + destination.reference() + "' has a digest but no tag: "
              + "images are pushed under a tag and the digest comes out of the build");
        }
      } catch (IllegalArgumentException e) {
        problems.add("destination " + e.getMessage());
      }
      if (destination.kind() == Kind.DOCKER_DAEMON && artifacts.size() > 1) {
        problems.add("toDockerDaemon takes one platform, not " + binaries.keySet()
            + ": push several to a registry or a tar");
      }
      if (destination.kind() == Kind.TAR && destination.tar().getParent() != null
          && !Files.isDirectory(destination.tar().getParent())) {
        problems.add("tar " + destination.tar() + " is in no existing directory");
      }
    }

    if (!problems.isEmpty() || !missing.isEmpty()) {
      List<String> all = new ArrayList<>(missing);
      all.addAll(problems);
      String message = "Invalid image configuration: " + String.join("; ", all);
      if (problems.isEmpty()) {
        throw new IllegalStateException(message);
      }
      throw new IllegalArgumentException(message);
    }
    // Image configs and tar headers keep whole seconds; a fraction would only make two
    // otherwise equal builds differ.
    return new Plan(base, destinationName, time.with(ChronoField.NANO_OF_SECOND, 0), artifacts,
        supervisors, binaryName);
  }

  private BaseImage koYamlBase(Artifact binary) throws IOException {
    Optional<String> configured = KoConfig.load(workspace).baseImageFor(binary.importPath());
    if (configured.isEmpty()) {
      return BaseImage.SCRATCH;
    }
    try {
      return BaseImage.parse(configured.get());
    } catch (IllegalArgumentException e) {
      throw new IOException(workspace.resolve(".ko.yaml") + ": base image for "
          + binary.importPath() + ": " + e.getMessage(), e);
    }
  }

  private static String withKoApp(String path) {
    return List.of(path.split(":")).contains(KO_APP) ? path : path + ":" + KO_APP;
  }

  private static FileEntriesLayer binaryLayer(
      LayerStaging staging, Artifact binary, String name, Instant time) throws IOException {
    Path staged = staging.file(binary.path(), "binary/" + platformDirectory(binary.platform()));
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("binary");
    addParents(layer, staging, KO_APP + "/" + name, time);
    return layer.addEntry(new FileEntry(staged, AbsoluteUnixPath.get(KO_APP + "/" + name),
        EXECUTABLE, time)).build();
  }

  private FileEntriesLayer supervisorLayer(
      LayerStaging staging, Path file, Platform platform, Instant time) throws IOException {
    Path staged = staging.file(file, "supervisor/" + platformDirectory(platform));
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("supervisor");
    addParents(layer, staging, supervisorPath, time);
    return layer.addEntry(
        new FileEntry(staged, AbsoluteUnixPath.get(supervisorPath), EXECUTABLE, time)).build();
  }

  private static FileEntriesLayer kodataLayer(LayerStaging staging, Path staged, Instant time)
      throws IOException {
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("kodata");
    addParents(layer, staging, KO_DATA_PATH, time);
    layer.addEntry(new FileEntry(staging.emptyDirectory(), AbsoluteUnixPath.get(KO_DATA_PATH),
        EXECUTABLE, time));
    for (Path p : LayerStaging.walk(staged)) {
      AbsoluteUnixPath target = AbsoluteUnixPath.get(KO_DATA_PATH + "/"
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

  private static String platformDirectory(Platform platform) {
    return platform.toString().replace('/', '-');
  }

  private String pushToRegistry(ImageName name, Map<Platform, JibContainerBuilder> images,
      Path imageCache, boolean insecure) throws IOException, InterruptedException {
    Map<Platform, String> digests = new LinkedHashMap<>();
    for (Map.Entry<Platform, JibContainerBuilder> image : images.entrySet()) {
      RegistryImage target = RegistryImage.named(name.jib());
      if (!name.loopback()) {
        target.addCredentialRetriever(CredentialRetrieverFactory
            .forImage(name.jib(), e -> logger.accept(LogEvent.debug(e.getMessage())))
            .dockerConfig());
      }
      JibContainer container = containerize(image.getValue(), Containerizer.to(target),
          imageCache, insecure, name.text() + " (" + image.getKey() + ")");
      digests.put(image.getKey(), container.getDigest().toString());
    }
    if (images.size() == 1) {
      return digests.values().iterator().next();
    }
    RegistryHttp registry = RegistryHttp.forImage(name, logger);
    List<Descriptor> manifests = new ArrayList<>();
    for (Map.Entry<Platform, String> d : digests.entrySet()) {
      manifests.add(new Descriptor(OciJson.OCI_MANIFEST, d.getValue(),
          registry.manifestSize(d.getValue(), OciJson.OCI_MANIFEST), Optional.of(d.getKey())));
    }
    byte[] index = OciJson.index(manifests, Map.of());
    String tag = name.jib().getTag().orElse("latest");
    String digest = registry.putManifest(tag, OciJson.OCI_INDEX, index);
    logger.accept(LogEvent.info("Pushed image index " + name.pinned(digest) + " over "
        + digests.keySet()));
    return digest;
  }

  private String writeTar(Map<Platform, JibContainerBuilder> images, Path imageCache,
      boolean insecure) throws IOException, InterruptedException {
    Path tar = destination.tar();
    if (images.size() == 1) {
      Map.Entry<Platform, JibContainerBuilder> only = images.entrySet().iterator().next();
      return containerize(only.getValue(),
          Containerizer.to(TarImage.at(tar).named(ImageName.parse(destination.reference()).jib())),
          imageCache, insecure, tar.toString()).getDigest().toString();
    }
    Path temp = Files.createTempDirectory(Files.createDirectories(imageCache.resolve("tmp")),
        "platforms-");
    try {
      Map<Platform, Path> layouts = new LinkedHashMap<>();
      for (Map.Entry<Platform, JibContainerBuilder> image : images.entrySet()) {
        Path layout = temp.resolve(platformDirectory(image.getKey()) + ".tar");
        containerize(image.getValue(), Containerizer.to(TarImage.at(layout)
                .named(ImageName.parse(destination.reference()).jib())),
            imageCache, insecure, tar + " (" + image.getKey() + ")");
        layouts.put(image.getKey(), layout);
      }
      return ImageArchive.writeIndexLayout(tar, destination.reference(), layouts).digest();
    } finally {
      try (Stream<Path> paths = Files.walk(temp)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private JibContainer containerize(JibContainerBuilder jib, Containerizer containerizer,
      Path imageCache, boolean insecure, String where) throws IOException, InterruptedException {
    containerizer
        .setToolName(TOOL_NAME)
        .setBaseImageLayersCache(imageCache.resolve("jib-base"))
        .setApplicationLayersCache(imageCache.resolve("jib-app"))
        .setAlwaysCacheBaseImage(true)
        .setAllowInsecureRegistries(insecure)
        .addEventHandler(com.google.cloud.tools.jib.api.LogEvent.class, this::jibLog);
    try {
      return jib.containerize(containerizer);
    } catch (ExecutionException e) {
      throw failure(where, e.getCause() != null ? e.getCause() : e);
    } catch (RegistryException | CacheDirectoryCreationException e) {
      throw failure(where, e);
    }
  }

  private static IOException failure(String where, Throwable cause) {
    String hint;
    if (cause instanceof RegistryUnauthorizedException) {
      hint = "; the registry refused the credentials (from ~/.docker/config.json): log in with "
          + "`docker login`";
    } else if (cause instanceof InsecureRegistryException) {
      hint = "; it does not speak verified https, and plain http is used only for loopback "
          + "registries (localhost, 127.0.0.1)";
    } else if (cause instanceof ConnectException
        || cause.getCause() instanceof ConnectException) {
      hint = "; nothing answers there: is the registry running?";
    } else {
      hint = "";
    }
    return new IOException("Building image " + where + " failed: " + cause.getMessage() + hint,
        cause);
  }

  private void jibLog(com.google.cloud.tools.jib.api.LogEvent event) {
    String message = event.getMessage();
    switch (event.getLevel()) {
      case ERROR -> logger.accept(LogEvent.error(message));
      case WARN -> logger.accept(LogEvent.warn(message));
      case LIFECYCLE -> logger.accept(LogEvent.info(message));
      default -> logger.accept(LogEvent.debug(message));
    }
  }
}
