package dev.hotreload.core.internal.image;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import java.util.Locale;
import java.util.Optional;

/**
 * An image reference as the user wrote it, with jib's reading of it: registry, repository, tag,
 * digest.
 *
 * @param text what the user wrote
 * @param jib jib's parsed reference
 */
public record ImageName(String text, ImageReference jib) {

  /**
   * Parses a reference like {@code localhost:5000/hello:dev} or {@code gcr.io/x/y@sha256:…}.
   *
   * @param text the reference
   * @return the name
   * @throws IllegalArgumentException quoting the text if it is no image reference
   */
  public static ImageName parse(String text) {
    try {
      return new ImageName(text, ImageReference.parse(text));
    } catch (InvalidImageReferenceException | RuntimeException e) {
      throw new IllegalArgumentException("'" + text + "' is not an image reference like "
          + "registry.example.com/repo:tag or localhost:5000/repo@sha256:…");
    }
  }

  /**
   * The registry host and port, as used in API URLs ({@code registry-1.docker.io} for Docker
   * Hub).
   *
   * @return the registry
   */
  public String registry() {
    return jib.getRegistry();
  }

  /**
   * The repository inside the registry ({@code library/debian} for {@code debian}).
   *
   * @return the repository
   */
  public String repository() {
    return jib.getRepository();
  }

  /**
   * The digest, if the reference is pinned.
   *
   * @return {@code sha256:…}
   */
  public Optional<String> digest() {
    return jib.getDigest();
  }

  /**
   * The tag or digest to ask the registry for.
   *
   * @return the digest if pinned, else the tag ({@code latest} when none was written)
   */
  public String qualifier() {
    return jib.getDigest().or(jib::getTag).orElse("latest");
  }

  /**
   * Whether the reference names a digest but no tag, which jib cannot push to.
   *
   * @return true for {@code repo@sha256:…} without a tag
   */
  public boolean digestOnly() {
    return jib.getDigest().isPresent() && jib.getTag().isEmpty();
  }

  /**
   * The user's spelling without tag or digest.
   *
   * @return for example {@code localhost:5000/hello}
   */
  public String repositoryText() {
    String text = this.text;
    int at = text.indexOf('@');
    if (at >= 0) {
      text = text.substring(0, at);
    }
    int colon = text.lastIndexOf(':');
    if (colon > text.lastIndexOf('/')) {
      text = text.substring(0, colon);
    }
    return text;
  }

  /**
   * The reference pinned to a digest, in the user's spelling.
   *
   * @param digest {@code sha256:…}
   * @return for example {@code localhost:5000/hello@sha256:…}
   */
  public String pinned(String digest) {
    return repositoryText() + "@" + digest;
  }

  /**
   * Whether the registry is on this machine: {@code localhost}, {@code 127.x.y.z} or {@code
   * ::1}. Only such registries are spoken to over plain http, as Docker does by default.
   *
   * @return true for a loopback registry
   */
  public boolean loopback() {
    return isLoopback(registry());
  }

  static boolean isLoopback(String registry) {
    String host = registry.toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      host = host.substring(1, Math.max(1, host.indexOf(']')));
    } else if (host.indexOf(':') == host.lastIndexOf(':') && host.contains(":")) {
      host = host.substring(0, host.indexOf(':'));
    }
    return host.equals("localhost") || host.equals("::1") || host.matches("127(\\.\\d{1,3}){3}");
  }

  @Override
  public String toString() {
    return text;
  }
}
