package dev.hotreload.core.internal.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.internal.image.OciJson.Descriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Resolves base images once and remembers them, so that only the first build of a builder reads
 * the base: later builds start from what the first one pinned.
 *
 * <ul>
 *   <li>A registry base is pinned to the digest its tag named at the first build, and its config
 *       is read then (for {@code PATH} and to check the platform). jib-core is given the pinned
 *       reference: for a reference with a digest whose manifest it has cached, jib-core makes no
 *       request to the base's registry at all.
 *   <li>An archive base is copied, for the platform, into the cache as a {@code docker save} tar
 *       (the one archive format jib-core reads as a base); later builds read the copy, and the
 *       original again only when its size or time changed.
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
   * A resolver keeping archive copies under a directory.
   *
   * @param directory the cache directory for base archives
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
   * @param dockerArchive for an archive base, the cached {@code docker save} copy
   * @param path the base's {@code PATH}, if it sets one
   */
  public record Resolved(BaseImage base, Platform platform, Optional<ImageName> pinned,
      Optional<Path> dockerArchive, Optional<String> path) {

    /**
     * A fresh jib-core builder starting from this base.
     *
     * @param log where jib-core's credential messages go
     * @return the builder, with the platform set
     */
    public JibContainerBuilder jib(Consumer<LogEvent> log) {
      JibContainerBuilder builder;
      if (pinned.isPresent()) {
        ImageName name = pinned.get();
        RegistryImage image = RegistryImage.named(name.jib());
        if (!name.loopback()) {
          image.addCredentialRetriever(CredentialRetrieverFactory
              .forImage(name.jib(), e -> log.accept(LogEvent.debug(e.getMessage())))
              .dockerConfig());
        }
        builder = Jib.from(image);
      } else if (dockerArchive.isPresent()) {
        builder = Jib.from(TarImage.at(dockerArchive.get()));
      } else {
        builder = Jib.fromScratch();
      }
      return builder.setPlatforms(java.util.Set.of(
          new com.google.cloud.tools.jib.api.buildplan.Platform(
              platform.architecture(), platform.os())));
    }

    /**
     * Whether jib-core must be allowed plain http for this base.
     *
     * @return true for a loopback registry
     */
    public boolean loopbackRegistry() {
      return pinned.map(ImageName::loopback).orElse(false);
    }
  }

  /**
   * Resolves a base for a platform: from memory after the first time.
   *
   * @param base the base
   * @param platform the platform
   * @return the resolved base
   * @throws IOException if the base cannot be read or has no image for the platform
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
    RegistryHttp.Fetched top = registry.manifest(digest != null ? digest : name.qualifier());
    pinnedDigests.put(name.text(), top.digest());
    log.accept(LogEvent.info("Base image " + name + " is " + name.pinned(top.digest())));
    RegistryHttp.Fetched manifest = top;
    if (OciJson.isIndex(top.mediaType())) {
      List<Descriptor> entries = OciJson.manifests(top.json());
      Descriptor entry = OciJson.select(entries, platform).orElseThrow(() -> new IOException(
          "Base image " + name + " has no image for " + platform + "; it has "
              + entries.stream().flatMap(d -> d.platform().stream()).map(Platform::toString)
              .distinct().toList()));
      manifest = registry.manifest(entry.digest());
    }
    Descriptor configDescriptor = OciJson.config(manifest.json());
    JsonNode config = OciJson.read(registry.blob(configDescriptor.digest()),
        "config of base image " + name);
    checkPlatform(config, platform, "Base image " + name);
    ImageName pinned;
    try {
      pinned = new ImageName(name.pinned(top.digest()),
          ImageReference.parse(name.jib().getRegistry() + "/" + name.jib().getRepository() + "@"
              + top.digest()));
    } catch (InvalidImageReferenceException e) {
      throw new IllegalStateException("a parsed reference with a digest parses again", e);
    }
    return new Resolved(remote, platform, Optional.of(pinned), Optional.empty(),
        OciJson.env(config, "PATH"));
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
      tar.writeDockerArchive(image, copy);
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
