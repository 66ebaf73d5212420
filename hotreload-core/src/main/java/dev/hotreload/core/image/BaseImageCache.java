package dev.hotreload.core.image;

import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.build.KoConfig;
import dev.hotreload.core.internal.image.BaseImage;
import dev.hotreload.core.internal.image.BaseImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The base images one {@link ImageBuilder} has resolved, kept across its builds: only its first
 * build reads the base, and a registry base stays pinned to the digest that build found. A new
 * builder, {@link ImageSpec#toBuilder()}'s included, starts with an empty one.
 *
 * <p>Not thread-safe, like the builder that holds it.
 */
final class BaseImageCache {
  private BaseImages bases;
  private Path directory;

  /**
   * The base {@code spec} sets, else the one the workspace's {@code .ko.yaml} names for the
   * binary's import path, else scratch.
   *
   * @throws IOException if {@code .ko.yaml} cannot be read or names no image
   */
  static BaseImage choose(ImageSpec spec, Artifact binary) throws IOException {
    if (spec.baseReference().isPresent()) {
      return BaseImage.parse(spec.baseReference().get());
    }
    if (spec.baseArchive().isPresent()) {
      return new BaseImage.Archive(spec.baseArchive().get());
    }
    Optional<String> configured = KoConfig.load(spec.workspace()).baseImageFor(binary.importPath());
    if (configured.isEmpty()) {
      return BaseImage.SCRATCH;
    }
    try {
      return BaseImage.parse(configured.get());
    } catch (IllegalArgumentException e) {
      throw new IOException(spec.workspace().resolve(".ko.yaml") + ": base image for "
          + binary.importPath() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Resolves a base for a platform from the copies under {@code directory}.
   *
   * @param directory where base copies are kept; another one than the last build's (the cache
   *     directory changed in between) starts afresh, as what was pinned may not be there
   * @param log where progress goes
   * @throws IOException if the base cannot be had
   */
  BaseImages.Resolved resolve(BaseImage base, Platform platform, Path directory,
      Consumer<LogEvent> log) throws IOException {
    if (bases == null || !directory.equals(this.directory)) {
      this.directory = directory;
      bases = new BaseImages(directory, log);
    }
    return bases.resolve(base, platform);
  }
}
