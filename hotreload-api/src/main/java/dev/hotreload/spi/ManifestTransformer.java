package dev.hotreload.spi;

import java.util.List;
import java.util.Objects;

/**
 * Rewrites a container for development: its command becomes the in-container supervisor, the
 * original command and arguments follow it, and its image becomes the built image.
 *
 * <p>Pure and thread-safe: returns a new spec and never changes its input.
 */
@FunctionalInterface
public interface ManifestTransformer {

  /**
   * Rewrites one container.
   *
   * @param container the container as the manifest has it
   * @param context the built image and its entrypoint
   * @return the rewritten container
   */
  ContainerSpec transform(ContainerSpec container, Context context);

  /**
   * What the transformer needs to know about the built image.
   *
   * @param image the reference of the dev image that replaces the container's image
   * @param entrypoint the image's entrypoint, used when the container sets no command
   */
  record Context(String image, List<String> entrypoint) {
    /** Copies the list. */
    public Context {
      Objects.requireNonNull(image, "image");
      entrypoint = List.copyOf(entrypoint);
    }
  }
}
