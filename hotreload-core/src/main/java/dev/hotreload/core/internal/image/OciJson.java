package dev.hotreload.core.internal.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotreload.Platform;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few OCI and Docker image JSON documents this package reads and writes: manifests, indexes
 * (and Docker manifest lists), configs.
 */
public final class OciJson {
  /** OCI image index. */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  /** OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  /** Docker manifest list, the Docker twin of an OCI index. */
  public static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  /** Docker image manifest, schema 2. */
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  /** Accept header value for any of the four. */
  public static final String ANY_MANIFEST =
      String.join(",", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);
  /** The annotation an OCI layout uses for an image's name. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OciJson() {}

  /**
   * A content descriptor: what a manifest or index points at.
   *
   * @param mediaType its media type
   * @param digest {@code sha256:…}
   * @param size its size in bytes
   * @param platform the platform an index entry declares, if any it can name
   */
  public record Descriptor(String mediaType, String digest, long size, Optional<Platform> platform) {
    /**
     * The digest's hex part.
     *
     * @return the 64 hex digits
     */
    public String hex() {
      return digest.substring(digest.indexOf(':') + 1);
    }
  }

  /**
   * Parses JSON.
   *
   * @param bytes the document
   * @param what what it is, for the error message
   * @return the tree
   * @throws IOException if it is not JSON
   */
  public static JsonNode read(byte[] bytes, String what) throws IOException {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new IOException(what + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new IOException(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The media type a document declares, else the one it was served with.
   *
   * @param document a manifest or index
   * @param served the Content-Type it came with, may be null
   * @return the media type
   */
  public static String mediaType(JsonNode document, String served) {
    String declared = document.path("mediaType").asText("");
    if (!declared.isEmpty()) {
      return declared;
    }
    if (document.has("manifests")) {
      return OCI_INDEX;
    }
    return served == null || served.isBlank() ? OCI_MANIFEST : served;
  }

  /**
   * Whether a media type is an index or manifest list.
   *
   * @param mediaType the media type
   * @return true for indexes
   */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
  }

  /**
   * The entries of an index.
   *
   * @param index the index
   * @return its descriptors, with the platforms they declare
   */
  public static List<Descriptor> manifests(JsonNode index) {
    List<Descriptor> out = new ArrayList<>();
    for (JsonNode entry : index.path("manifests")) {
      out.add(descriptor(entry));
    }
    return out;
  }

  /**
   * A manifest's config descriptor.
   *
   * @param manifest the manifest
   * @return the descriptor
   */
  public static Descriptor config(JsonNode manifest) {
    return descriptor(manifest.path("config"));
  }

  /**
   * A manifest's layer descriptors, bottom first.
   *
   * @param manifest the manifest
   * @return the layers
   */
  public static List<Descriptor> layers(JsonNode manifest) {
    List<Descriptor> out = new ArrayList<>();
    for (JsonNode layer : manifest.path("layers")) {
      out.add(descriptor(layer));
    }
    return out;
  }

  private static Descriptor descriptor(JsonNode node) {
    JsonNode p = node.path("platform");
    return new Descriptor(node.path("mediaType").asText(""), node.path("digest").asText(""),
        node.path("size").asLong(-1),
        p.isObject() ? platform(p) : Optional.empty());
  }

  /**
   * The platform an image config or index entry names: {@code os}, {@code architecture} and
   * {@code variant}.
   *
   * @param node a config or a descriptor's {@code platform}
   * @return the platform, empty if it names none Go knows (like {@code unknown/unknown})
   */
  public static Optional<Platform> platform(JsonNode node) {
    String variant = node.path("variant").asText("");
    try {
      return Optional.of(new Platform(node.path("os").asText(""),
          node.path("architecture").asText(""),
          variant.isEmpty() ? Optional.empty() : Optional.of(variant)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The value of an environment variable an image config sets.
   *
   * @param config the image config
   * @param name the variable
   * @return its value, if set
   */
  public static Optional<String> env(JsonNode config, String name) {
    for (JsonNode entry : config.path("config").path("Env")) {
      String text = entry.asText();
      if (text.startsWith(name + "=")) {
        return Optional.of(text.substring(name.length() + 1));
      }
    }
    return Optional.empty();
  }

  /**
   * Picks the index entry whose image runs on a platform: an exact match first, then one whose
   * variant is unspecified on either side.
   *
   * @param entries the index entries
   * @param wanted the platform
   * @return the entry, if any
   */
  public static Optional<Descriptor> select(List<Descriptor> entries, Platform wanted) {
    return entries.stream()
        .filter(d -> d.platform().filter(wanted::equals).isPresent())
        .findFirst()
        .or(() -> entries.stream()
            .filter(d -> d.platform().filter(wanted::runsOn).isPresent())
            .findFirst());
  }

  /**
   * Writes an OCI image index.
   *
   * @param manifests its entries, in order; each platform is written out
   * @param annotations per entry annotations, by digest; may be empty
   * @return the JSON bytes, the same for the same input
   */
  public static byte[] index(List<Descriptor> manifests, Map<String, String> annotations) {
    ObjectNode index = MAPPER.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OCI_INDEX);
    ArrayNode entries = index.putArray("manifests");
    for (Descriptor d : manifests) {
      ObjectNode entry = entries.addObject();
      entry.put("mediaType", d.mediaType());
      entry.put("digest", d.digest());
      entry.put("size", d.size());
      d.platform().ifPresent(p -> {
        ObjectNode platform = entry.putObject("platform");
        platform.put("architecture", p.architecture());
        platform.put("os", p.os());
        p.variant().ifPresent(v -> platform.put("variant", v));
      });
      String annotation = annotations.get(d.digest());
      if (annotation != null) {
        entry.putObject("annotations").put(REF_NAME, annotation);
      }
    }
    try {
      return MAPPER.writeValueAsBytes(index);
    } catch (IOException e) {
      throw new IllegalStateException("an index of strings and numbers always serializes", e);
    }
  }

  /**
   * The {@code sha256:…} digest of bytes.
   *
   * @param bytes the content
   * @return its digest
   */
  public static String digest(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
