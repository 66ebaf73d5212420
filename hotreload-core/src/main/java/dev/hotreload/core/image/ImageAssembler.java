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
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.build.CacheDirectory;
import dev.hotreload.core.image.ImageSpec.Kind;
import dev.hotreload.core.internal.image.BaseImage;
import dev.hotreload.core.internal.image.BaseImages;
import dev.hotreload.core.internal.image.ImageArchive;
import dev.hotreload.core.internal.image.ImageName;
import dev.hotreload.core.internal.image.Kodata;
import dev.hotreload.core.internal.image.LayerStaging;
import dev.hotreload.core.internal.image.OciJson.Descriptor;
import dev.hotreload.core.internal.image.OciJson;
import dev.hotreload.core.internal.image.RegistryHttp;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds the image a checked {@link ImageSpec} describes, one jib-core image for each platform,
 * and sends it to the spec's destination.
 */
final class ImageAssembler {
  /** {@code PATH} when the base sets none (Docker's and ko's default). */
  private static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final String TOOL_NAME = "hotreload/jib-core";

  private final ImageSpec spec;
  private final Consumer<LogEvent> logger;
  private final ImageName destinationName;
  private final Path imageCache;
  /**
   * jib-core has one switch for plain http; only the destination needs it, as the base never
   * reaches jib-core as a registry image.
   */
  private final boolean insecure;

  private ImageAssembler(ImageSpec spec) {
    this.spec = spec;
    this.logger = spec.logger();
    this.destinationName = ImageName.parse(spec.destination().reference());
    this.imageCache = spec.cacheDirectory().orElseGet(CacheDirectory::resolve).resolve("image");
    this.insecure = destinationName.loopback();
  }

  /**
   * Builds the image and sends it to the destination.
   *
   * @param spec the image, as {@link ImageSpecCheck} passed it
   * @param bases the builder's base images
   * @param started {@link System#nanoTime()} when the build began, for {@link BuiltImage#took()}
   * @throws IOException if a file cannot be read, the base cannot be had, or the destination
   *     refuses the image
   * @throws InterruptedException if the thread is interrupted while jib-core works
   */
  static BuiltImage assemble(ImageSpec spec, BaseImageCache bases, long started)
      throws IOException, InterruptedException {
    return new ImageAssembler(spec).assemble(bases, started);
  }

  private BuiltImage assemble(BaseImageCache bases, long started)
      throws IOException, InterruptedException {
    Artifact first = spec.binaries().get(0);
    String binaryName = first.binaryName();
    Instant time = spec.creationTime();
    BaseImage base = BaseImageCache.choose(spec, first);
    LayerStaging staging = new LayerStaging(imageCache.resolve("stage"));
    Optional<Path> kodataSource = spec.kodata().isPresent()
        ? spec.kodata() : Kodata.find(spec.workspace(), first.importPath());
    Optional<Path> stagedKodata = kodataSource.isPresent()
        ? Optional.of(staging.tree(kodataSource.get(), "kodata")) : Optional.empty();
    List<String> entrypoint =
        spec.entrypoint().orElse(List.of(ImageBuilder.KO_APP + "/" + binaryName));

    Map<Platform, JibContainerBuilder> images = new LinkedHashMap<>();
    for (Artifact binary : spec.binaries()) {
      Platform platform = binary.platform();
      BaseImages.Resolved resolved =
          bases.resolve(base, platform, imageCache.resolve("base"), logger);
      JibContainerBuilder jib = resolved.jib();
      if (spec.supervisorPath().isPresent()) {
        Path supervisor = Optional.ofNullable(spec.supervisorFiles().get(platform))
            .or(spec::supervisorFile).orElseThrow();
        jib.addFileEntriesLayer(KoLayers.supervisor(staging, supervisor, platform,
            spec.supervisorPath().get(), time));
      }
      if (stagedKodata.isPresent()) {
        jib.addFileEntriesLayer(KoLayers.kodata(staging, stagedKodata.get(), time));
      }
      jib.addFileEntriesLayer(KoLayers.binary(staging, binary, binaryName, time));
      Map<String, String> imageEnv = new LinkedHashMap<>();
      imageEnv.put("PATH", withKoApp(resolved.path().orElse(DEFAULT_PATH)));
      if (stagedKodata.isPresent()) {
        imageEnv.put("KO_DATA_PATH", ImageBuilder.KO_DATA_PATH);
      }
      imageEnv.putAll(spec.env());
      jib.setEnvironment(imageEnv)
          .setEntrypoint(entrypoint)
          .setCreationTime(time)
          .setFormat(spec.destination().kind() == Kind.DOCKER_DAEMON
              || spec.destination().kind() == Kind.DOCKER_TAR
              ? ImageFormat.Docker : ImageFormat.OCI);
      spec.labels().forEach(jib::addLabel);
      spec.user().ifPresent(jib::setUser);
      images.put(platform, jib);
    }

    String reference;
    String digest;
    switch (spec.destination().kind()) {
      case REGISTRY -> {
        digest = pushToRegistry(images);
        reference = destinationName.pinned(digest);
      }
      case TAR, DOCKER_TAR -> {
        digest = writeTar(images, spec.destination().tar().orElseThrow());
        reference = spec.destination().reference();
      }
      default -> {
        JibContainer container = containerize(images.values().iterator().next(),
            Containerizer.to(DockerDaemonImage.named(destinationName.jib())), "Docker daemon");
        digest = container.getImageId().toString();
        reference = spec.destination().reference();
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    logger.accept(LogEvent.info("Built " + reference + " for " + images.keySet() + " in "
        + took.toMillis() + " ms"));
    return new BuiltImage(reference, digest, List.copyOf(images.keySet()), entrypoint, took);
  }

  private static String withKoApp(String path) {
    return List.of(path.split(":")).contains(ImageBuilder.KO_APP)
        ? path : path + ":" + ImageBuilder.KO_APP;
  }

  private String pushToRegistry(Map<Platform, JibContainerBuilder> images)
      throws IOException, InterruptedException {
    ImageName name = destinationName;
    Map<Platform, String> digests = new LinkedHashMap<>();
    for (Map.Entry<Platform, JibContainerBuilder> image : images.entrySet()) {
      RegistryImage target = RegistryImage.named(name.jib());
      if (!name.loopback()) {
        target.addCredentialRetriever(CredentialRetrieverFactory
            .forImage(name.jib(), e -> logger.accept(LogEvent.debug(e.getMessage())))
            .dockerConfig());
      }
      JibContainer container = containerize(image.getValue(), Containerizer.to(target),
          name.text() + " (" + image.getKey() + ")");
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

  private String writeTar(Map<Platform, JibContainerBuilder> images, Path tar)
      throws IOException, InterruptedException {
    if (images.size() == 1) {
      Map.Entry<Platform, JibContainerBuilder> only = images.entrySet().iterator().next();
      return containerize(only.getValue(),
          Containerizer.to(TarImage.at(tar).named(destinationName.jib())), tar.toString())
          .getDigest().toString();
    }
    Path temp = Files.createTempDirectory(Files.createDirectories(imageCache.resolve("tmp")),
        "platforms-");
    try {
      Map<Platform, Path> layouts = new LinkedHashMap<>();
      for (Map.Entry<Platform, JibContainerBuilder> image : images.entrySet()) {
        Path layout = temp.resolve(KoLayers.platformDirectory(image.getKey()) + ".tar");
        containerize(image.getValue(),
            Containerizer.to(TarImage.at(layout).named(destinationName.jib())),
            tar + " (" + image.getKey() + ")");
        layouts.put(image.getKey(), layout);
      }
      return ImageArchive.writeIndexLayout(tar, spec.destination().reference(), layouts)
          .digest();
    } finally {
      try (Stream<Path> paths = Files.walk(temp)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private JibContainer containerize(JibContainerBuilder jib, Containerizer containerizer,
      String where) throws IOException, InterruptedException {
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
    String message = event.getMessage().strip();
    if (message.isEmpty()) {
      return;
    }
    switch (event.getLevel()) {
      case ERROR -> logger.accept(LogEvent.error(message));
      // jib tries HTTPS first even where insecure registries are allowed and says so as a
      // warning; for a plain-http registry that is the expected path, not news.
      case WARN -> logger.accept(message.contains("Attempting again")
          ? LogEvent.debug(message) : LogEvent.warn(message));
      // Its step lines ("Container entrypoint set to …") are detail beside our own progress.
      default -> logger.accept(LogEvent.debug(message));
    }
  }
}
