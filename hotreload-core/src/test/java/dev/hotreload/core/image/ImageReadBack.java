package dev.hotreload.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotreload.Platform;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads a built image back the way a runtime would, independently of the builder's code: an OCI
 * layout tar through its index.json, or blobs from a registry.
 */
final class ImageReadBack {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, byte[]> entries;

  private ImageReadBack(Map<String, byte[]> entries) {
    this.entries = entries;
  }

  /** One file or directory of a layer. */
  record Entry(String path, int mode, Instant modified, boolean directory, byte[] content) {}

  /** A layer, its entries by path without a leading slash. */
  record Layer(String digest, Map<String, Entry> entries) {
    static Layer parse(String digest, byte[] gzipped) throws IOException {
      Map<String, Entry> entries = new LinkedHashMap<>();
      try (TarArchiveInputStream tar = new TarArchiveInputStream(
          new GzipCompressorInputStream(new ByteArrayInputStream(gzipped)))) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          String name = e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
          entries.put(name, new Entry(name, e.getMode() & 07777,
              e.getModTime().toInstant(), e.isDirectory(), tar.readAllBytes()));
        }
      }
      return new Layer(digest, entries);
    }
  }

  /** An image: where it was listed, its manifest, config and layers. */
  record Image(Optional<Platform> listedPlatform, String manifestDigest, JsonNode manifest,
      JsonNode config, List<Layer> layers) {
    Entry file(String path) {
      for (int i = layers.size() - 1; i >= 0; i--) {
        Entry e = layers.get(i).entries().get(path);
        if (e != null) {
          return e;
        }
      }
      throw new AssertionError("no " + path + " in any layer");
    }

    List<String> env() {
      List<String> env = new ArrayList<>();
      config.path("config").path("Env").forEach(v -> env.add(v.asText()));
      return env;
    }

    List<String> entrypoint() {
      List<String> entrypoint = new ArrayList<>();
      config.path("config").path("Entrypoint").forEach(v -> entrypoint.add(v.asText()));
      return entrypoint;
    }
  }

  static ImageReadBack of(Path tar) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(tar);
        TarArchiveInputStream archive = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = archive.getNextEntry()) != null) {
        if (e.isFile()) {
          entries.put(e.getName(), archive.readAllBytes());
        }
      }
    }
    return new ImageReadBack(entries);
  }

  JsonNode layoutIndex() throws IOException {
    return json(entry("index.json"));
  }

  byte[] blob(String digest) {
    byte[] bytes = entry("blobs/" + digest.replace(':', '/'));
    if (!sha256(bytes).equals(digest)) {
      throw new AssertionError("blob " + digest + " has digest " + sha256(bytes));
    }
    return bytes;
  }

  /** Every image, following a nested index. */
  List<Image> images() throws IOException {
    List<Image> images = new ArrayList<>();
    collect(layoutIndex(), images);
    return images;
  }

  private void collect(JsonNode index, List<Image> images) throws IOException {
    for (JsonNode d : index.path("manifests")) {
      String digest = d.path("digest").asText();
      if (d.path("mediaType").asText().endsWith("index.v1+json")) {
        collect(json(blob(digest)), images);
        continue;
      }
      images.add(image(digest, listedPlatform(d)));
    }
  }

  static Optional<Platform> listedPlatform(JsonNode descriptor) {
    JsonNode p = descriptor.path("platform");
    if (!p.isObject()) {
      return Optional.empty();
    }
    return Optional.of(Platform.parse(p.path("os").asText() + "/" + p.path("architecture").asText()
        + (p.has("variant") ? "/" + p.path("variant").asText() : "")));
  }

  Image image(String manifestDigest, Optional<Platform> listed) throws IOException {
    JsonNode manifest = json(blob(manifestDigest));
    JsonNode config = json(blob(manifest.path("config").path("digest").asText()));
    List<Layer> layers = new ArrayList<>();
    for (JsonNode l : manifest.path("layers")) {
      String digest = l.path("digest").asText();
      layers.add(Layer.parse(digest, blob(digest)));
    }
    return new Image(listed, manifestDigest, manifest, config, layers);
  }

  Image onlyImage() throws IOException {
    List<Image> images = images();
    if (images.size() != 1) {
      throw new AssertionError("expected one image, found " + images.size());
    }
    return images.get(0);
  }

  private byte[] entry(String name) {
    byte[] bytes = entries.get(name);
    if (bytes == null) {
      throw new AssertionError("no " + name + " in the tar; it has " + entries.keySet());
    }
    return bytes;
  }

  static JsonNode json(byte[] bytes) throws IOException {
    return JSON.readTree(bytes);
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
