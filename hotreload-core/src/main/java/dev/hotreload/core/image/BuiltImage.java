package dev.hotreload.core.image;

import dev.hotreload.Platform;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An image {@link ImageBuilder} built.
 *
 * @param reference what to run: for a registry the repository pinned by digest ({@code
 *     localhost:5000/hello@sha256:…}), ready for a pod spec; for a tar or a Docker daemon the name
 *     given
 * @param digest the manifest's digest, or the image index's when there are several platforms;
 *     for a Docker daemon, the image ID
 * @param platforms the platforms, in the order of the index
 * @param entrypoint the entrypoint the image runs
 * @param took how long the build took, base resolution and push included
 */
public record BuiltImage(
    String reference, String digest, List<Platform> platforms, List<String> entrypoint,
    Duration took) {

  /** Checks and copies the fields. */
  public BuiltImage {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(took, "took");
    platforms = List.copyOf(platforms);
    entrypoint = List.copyOf(entrypoint);
  }
}
