package dev.hotreload.k8s.manifest;

import java.util.Locale;
import java.util.Objects;

/**
 * Decides which containers of a manifest run the app being built, by the image they name.
 *
 * <p>Two kinds of reference, as ko users write them:
 *
 * <ul>
 *   <li>{@code ko://example.com/hello/cmd/server} matches containers whose image is that same ko
 *       reference, by Go import path;
 *   <li>a plain image name such as {@code registry.example.com/team/hello:v1} matches containers
 *       whose image names the same repository, whatever its tag or digest; Docker Hub short
 *       names are expanded, so {@code nginx} and {@code docker.io/library/nginx:1.27} match.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageMatcher {
  private static final String KO_PREFIX = "ko://";

  private final String reference;
  private final String key;

  private ImageMatcher(String reference, String key) {
    this.reference = reference;
    this.key = key;
  }

  /**
   * Reads a reference: {@code ko://<import path>} or an image name.
   *
   * @param reference what the manifests put in {@code image:}
   * @return the matcher
   * @throws IllegalArgumentException if the reference is blank or a ko reference without a path
   */
  public static ImageMatcher parse(String reference) {
    Objects.requireNonNull(reference, "reference");
    String trimmed = reference.trim();
    return trimmed.startsWith(KO_PREFIX)
        ? ko(trimmed.substring(KO_PREFIX.length()))
        : imageName(trimmed);
  }

  /**
   * Matches {@code ko://<importPath>}.
   *
   * @param importPath the main package's Go import path, like {@code example.com/hello/cmd/server}
   * @return the matcher
   * @throws IllegalArgumentException if the import path is blank
   */
  public static ImageMatcher ko(String importPath) {
    Objects.requireNonNull(importPath, "importPath");
    String path = stripTrailingSlashes(importPath.trim());
    if (path.isEmpty() || path.contains(" ")) {
      throw new IllegalArgumentException(
          "ko reference 'ko://" + importPath + "' needs a Go import path after ko://");
    }
    return new ImageMatcher(KO_PREFIX + path, KO_PREFIX + path);
  }

  /**
   * Matches any tag or digest of an image repository.
   *
   * @param image an image name, with or without tag or digest
   * @return the matcher
   * @throws IllegalArgumentException if the name is blank or has spaces
   */
  public static ImageMatcher imageName(String image) {
    Objects.requireNonNull(image, "image");
    String trimmed = image.trim();
    if (trimmed.isEmpty() || trimmed.contains(" ")) {
      throw new IllegalArgumentException("image name '" + image + "' is not an image reference");
    }
    return new ImageMatcher(trimmed, repositoryOf(trimmed));
  }

  /**
   * Tells whether a container's image is the one this matcher stands for.
   *
   * @param image the container's {@code image:}
   * @return true if it names the same ko import path or the same repository
   */
  public boolean matches(String image) {
    if (image == null || image.isBlank()) {
      return false;
    }
    String trimmed = image.trim();
    if (key.startsWith(KO_PREFIX)) {
      return trimmed.startsWith(KO_PREFIX) && key.equals(KO_PREFIX + stripTrailingSlashes(
          trimmed.substring(KO_PREFIX.length())));
    }
    return !trimmed.startsWith(KO_PREFIX) && key.equals(repositoryOf(trimmed));
  }

  /**
   * The reference this matcher was made from.
   *
   * @return the reference, like {@code ko://example.com/hello/cmd/server}
   */
  @Override
  public String toString() {
    return reference;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ImageMatcher that && key.equals(that.key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  /**
   * The repository an image reference names, normalised as registries see it: without tag or
   * digest, with Docker Hub's implicit {@code docker.io} and {@code library/} spelled out.
   */
  static String repositoryOf(String image) {
    String name = image;
    int at = name.indexOf('@');
    if (at >= 0) {
      name = name.substring(0, at);
    }
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    // A colon before the last slash is a registry port (localhost:5000/app), not a tag.
    if (colon > slash) {
      name = name.substring(0, colon);
    }
    int firstSlash = name.indexOf('/');
    String host = firstSlash < 0 ? "" : name.substring(0, firstSlash);
    boolean hasRegistry =
        host.contains(".") || host.contains(":") || host.equals("localhost");
    String registry;
    String path;
    if (hasRegistry) {
      registry = host.toLowerCase(Locale.ROOT);
      path = name.substring(firstSlash + 1);
    } else {
      registry = "docker.io";
      path = name;
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = "docker.io";
    }
    if (registry.equals("docker.io") && !path.contains("/")) {
      path = "library/" + path;
    }
    return registry + "/" + path;
  }

  private static String stripTrailingSlashes(String path) {
    String result = path;
    while (result.endsWith("/")) {
      result = result.substring(0, result.length() - 1);
    }
    return result;
  }
}
