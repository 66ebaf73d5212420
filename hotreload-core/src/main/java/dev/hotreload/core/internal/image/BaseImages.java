package dev.hotreload.core.internal.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.internal.image.OciJson.Descriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Resolves base images once and keeps them as local archives, so that only the first build of a
 * builder reads the base, and jib-core never talks to the base's registry.
 *
 * <ul>
 *   <li>A registry base is pinned to the digest its tag names at the first build; this class
 *       then downloads the platform's config and layers itself, each checked against its digest
 *       (the manifests too), into {@code blobs/} of the cache, and writes them as a {@code docker
 *       save} tar, the one archive format jib-core reads as a base. A later builder with the same
 *       pinned base asks the registry for nothing but the tag (and nothing at all for a
 *       reference with a digest). Doing the pull here, not in jib-core, also keeps jib-core's
 *       one "allow plain http" switch, needed for a loopback destination, away from the base's
 *       registry.
 *   <li>An archive base is copied, for the platform, into the cache in that same format; later
 *       builds read the copy, and the original again only when its size or time changed.
 * </ul>
 *
 * <p>Not thread-safe.
 */
public final class BaseImages {
  private final Path directory;
  private final Consumer<LogEvent> log;
  private final Map<String, Resolved> resolved = new HashMap<>();
  private final Map<String, String> pinnedDigests = new HashMap<>();

  /**
   * A resolver keeping its files under a directory.
   *
   * @param directory the cache directory for base images
   * @param log where progress goes
   */
  public BaseImages(Path directory, Consumer<LogEvent> log) {
    this.directory = directory;
    this.log = log;
  }

  /**
   * A base resolved for one platform.
   *
   * @param base the base as configured
   * @param platform the platform
   * @param pinned for a registry base, the reference pinned by digest
   * @param dockerArchive the local {@code docker save} copy; empty for scratch
   * @param path the base's {@code PATH}, if it sets one
   */
  public record Resolved(BaseImage base, Platform platform, Optional<String> pinned,
      Optional<Path> dockerArchive, Optional<String> path) {

    /**
     * A fresh jib-core builder starting from this base.
     *
     * @return the builder, with the platform set
     */
    public JibContainerBuilder jib() {
      JibContainerBuilder builder = dockerArchive.isPresent()
          ? Jib.from(TarImage.at(dockerArchive.get())) : Jib.fromScratch();
      return builder.setPlatforms(Set.of(
          new com.google.cloud.tools.jib.api.buildplan.Platform(
              platform.architecture(), platform.os())));
    }
  }

  /**
   * Resolves a base for a platform: from memory after the first time.
   *
   * @param base the base
   * @param platform the platform
   * @return the resolved base
   * @throws IOException if the base cannot be read or has no image for the platform; the message
   *     starts with "Base image"
   */
  public Resolved resolve(BaseImage base, Platform platform) throws IOException {
    String key = key(base, platform);
    Resolved known = resolved.get(key);
    if (known != null) {
      return known;
    }
    Resolved fresh;
    if (base instanceof BaseImage.Remote remote) {
      try {
        fresh = remote(remote, platform);
      } catch (IOException e) {
        throw e.getMessage().startsWith("Base image")
            ? e : new IOException("Base image " + remote + ": " + e.getMessage(), e);
      }
    } else if (base instanceof BaseImage.Archive archive) {
      fresh = archive(archive, platform);
    } else {
      fresh = new Resolved(base, platform, Optional.empty(), Optional.empty(), Optional.empty());
    }
    resolved.put(key, fresh);
    return fresh;
  }

  private String key(BaseImage base, Platform platform) throws IOException {
    String key = base + "\0" + platform;
    if (base instanceof BaseImage.Archive archive) {
      // A rewritten archive is a new base; its size and time say so without reading it.
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(archive.file(), BasicFileAttributes.class);
      } catch (IOException e) {
        throw new IOException("Base image archive " + archive.file() + " cannot be read: " + e, e);
      }
      key += "\0" + attributes.size() + "\0" + attributes.lastModifiedTime().toMillis();
    }
    return key;
  }

  private Resolved remote(BaseImage.Remote remote, Platform platform) throws IOException {
    ImageName name = remote.name();
    RegistryHttp registry = RegistryHttp.forImage(name, log);
    String digest = pinnedDigests.get(name.text());
    RegistryHttp.Fetched top = null;
    if (digest == null) {
      if (name.digest().isPresent()) {
        digest = name.digest().get();
      } else {
        top = registry.manifest(name.qualifier());
        digest = top.digest();
      }
      pinnedDigests.put(name.text(), digest);
    }
    String pinned = name.pinned(digest);
    String stem = digest.substring(7, 31) + "-" + platform.toString().replace('/', '-');
    Path archive = directory.resolve(stem + ".tar");
    Path configCopy = directory.resolve(stem + ".config.json");
    if (Files.isRegularFile(archive) && Files.isRegularFile(configCopy)) {
      log.accept(LogEvent.info("Base image " + name + " is " + pinned + ", cached in " + archive));
      JsonNode config = OciJson.read(Files.readAllBytes(configCopy), configCopy.toString());
      return new Resolved(remote, platform, Optional.of(pinned), Optional.of(archive),
          OciJson.env(config, "PATH"));
    }

    if (top == null) {
      top = registry.manifest(digest);
    }
    RegistryHttp.Fetched manifest = top;
    if (OciJson.isIndex(top.mediaType())) {
      List<Descriptor> entries = OciJson.manifests(top.json());
      Descriptor entry = OciJson.select(entries, platform).orElseThrow(() -> new IOException(
          "Base image " + name + " has no image for " + platform + "; it has "
              + entries.stream().flatMap(d -> d.platform().stream()).map(Platform::toString)
              .distinct().toList()));
      manifest = registry.manifest(entry.digest());
    }
    Path config = blob(registry, OciJson.config(manifest.json()).digest());
    JsonNode configJson = OciJson.read(Files.readAllBytes(config), "config of base image " + name);
    checkPlatform(configJson, platform, "Base image " + name);
    List<ImageArchive.Source> layers = new ArrayList<>();
    for (Descriptor layer : OciJson.layers(manifest.json())) {
      layers.add(ImageArchive.Source.of(blob(registry, layer.digest())));
    }
    ImageArchive.writeDockerArchive(archive, ImageArchive.Source.of(config), layers);
    Files.copy(config, configCopy, StandardCopyOption.REPLACE_EXISTING);
    log.accept(LogEvent.info("Base image " + name + " is " + pinned + "; pulled for " + platform
        + " into " + archive));
    return new Resolved(remote, platform, Optional.of(pinned), Optional.of(archive),
        OciJson.env(configJson, "PATH"));
  }

  /** A verified blob in the shared blob directory, downloaded when missing. */
  private Path blob(RegistryHttp registry, String digest) throws IOException {
    Path file = directory.resolve("blobs").resolve(digest.replace(':', '/'));
    if (!Files.isRegularFile(file)) {
      registry.blobToFile(digest, file);
    }
    return file;
  }

  private Resolved archive(BaseImage.Archive archive, Platform platform) throws IOException {
    Files.createDirectories(directory);
    try (ImageArchive tar = ImageArchive.open(archive.file())) {
      ImageArchive.Image image;
      try {
        image = tar.image(platform);
      } catch (IOException e) {
        throw new IOException("Base image archive " + e.getMessage(), e);
      }
      checkPlatform(image.config(), platform, "Base image archive " + archive.file());
      String name = OciJson.digest((archive.file().toAbsolutePath() + "\0" + platform
          + "\0" + image.configEntry()).getBytes(StandardCharsets.UTF_8)).substring(7, 31);
      Path copy = directory.resolve(name + ".tar");
      List<ImageArchive.Source> layers = new ArrayList<>();
      for (String layer : image.layerEntries()) {
        layers.add(tar.source(layer));
      }
      ImageArchive.writeDockerArchive(copy, tar.source(image.configEntry()), layers);
      log.accept(LogEvent.info("Base image archive " + archive.file() + " for " + platform
          + " is cached as " + copy));
      return new Resolved(archive, platform, Optional.empty(), Optional.of(copy),
          OciJson.env(image.config(), "PATH"));
    }
  }

  private static void checkPlatform(JsonNode config, Platform wanted, String what)
      throws IOException {
    Optional<Platform> actual = OciJson.platform(config);
    if (actual.isPresent() && !wanted.runsOn(actual.get())) {
      throw new IOException(what + " is " + actual.get() + ", not " + wanted
          + ": choose a base built for " + wanted + " or a multi-platform one");
    }
  }
}
