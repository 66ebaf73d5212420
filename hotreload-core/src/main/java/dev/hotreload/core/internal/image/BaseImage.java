package dev.hotreload.core.internal.image;

import java.nio.file.Path;
import java.util.Objects;

/** What an image is built on: nothing, an image in a registry, or an image archive on disk. */
public sealed interface BaseImage {
  /** The empty image; the default, as the seed design's "empty base". */
  Scratch SCRATCH = new Scratch();

  /**
   * Reads a base image setting: {@code scratch} or a registry reference.
   *
   * @param text the setting
   * @return the base
   * @throws IllegalArgumentException quoting the text if it is neither
   */
  static BaseImage parse(String text) {
    Objects.requireNonNull(text, "base");
    if (text.strip().equals("scratch")) {
      return SCRATCH;
    }
    return new Remote(ImageName.parse(text.strip()));
  }

  /** The empty image. */
  record Scratch() implements BaseImage {
    @Override
    public String toString() {
      return "scratch";
    }
  }

  /**
   * An image in a registry.
   *
   * @param name its reference
   */
  record Remote(ImageName name) implements BaseImage {
    @Override
    public String toString() {
      return name.text();
    }
  }

  /**
   * An OCI layout or {@code docker save} tar.
   *
   * @param file the tar
   */
  record Archive(Path file) implements BaseImage {
    @Override
    public String toString() {
      return file.toString();
    }
  }
}
