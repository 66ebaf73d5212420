package dev.hotreload.core.internal.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotreload.Platform;
import dev.hotreload.core.internal.image.OciJson.Descriptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * An image archive on disk: an OCI image layout in a tar ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/…}, as jib, ko, buildx and skopeo write it) or a {@code docker save} tar
 * ({@code manifest.json}). Reads entries in place, without unpacking. Not thread-safe.
 */
public final class ImageArchive implements Closeable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path path;
  private final TarFile tar;
  private final Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();

  private ImageArchive(Path path, TarFile tar) {
    this.path = path;
    this.tar = tar;
    for (TarArchiveEntry entry : tar.getEntries()) {
      if (entry.isFile()) {
        entries.put(normalize(entry.getName()), entry);
      }
    }
  }

  /**
   * Opens a tar.
   *
   * @param path the file
   * @return the archive
   * @throws IOException if it is no readable tar, or neither an OCI layout nor a Docker archive
   */
  public static ImageArchive open(Path path) throws IOException {
    TarFile tar;
    try {
      tar = new TarFile(path);
    } catch (IOException e) {
      throw new IOException(path + " is not a readable tar: " + e.getMessage(), e);
    }
    ImageArchive archive = new ImageArchive(path, tar);
    if (!archive.entries.containsKey("index.json")
        && !archive.entries.containsKey("manifest.json")) {
      archive.close();
      throw new IOException(path + " is not an image archive: it has neither index.json (OCI "
          + "layout) nor manifest.json (docker save)");
    }
    return archive;
  }

  private static String normalize(String name) {
    String n = name;
    while (n.startsWith("./") || n.startsWith("/")) {
      n = n.substring(n.indexOf('/') + 1);
    }
    return n;
  }

  /**
   * Whether this is an OCI image layout.
   *
   * @return true if it has {@code index.json}
   */
  public boolean isOciLayout() {
    return entries.containsKey("index.json");
  }

  /**
   * Reads an entry whole.
   *
   * @param name its path in the tar
   * @return its bytes
   * @throws IOException if it is missing
   */
  public byte[] read(String name) throws IOException {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    }
  }

  private InputStream open(String name) throws IOException {
    TarArchiveEntry entry = entries.get(normalize(name));
    if (entry == null) {
      throw new IOException(path + " has no entry " + name);
    }
    return tar.getInputStream(entry);
  }

  private long size(String name) throws IOException {
    TarArchiveEntry entry = entries.get(normalize(name));
    if (entry == null) {
      throw new IOException(path + " has no entry " + name);
    }
    return entry.getSize();
  }

  /**
   * One image of the archive.
   *
   * @param platform the platform its config names
   * @param config its config
   * @param configEntry the config's entry name
   * @param layerEntries its layers' entry names, bottom first
   * @param manifest the OCI descriptor of its manifest (empty for a Docker archive)
   */
  public record Image(Platform platform, JsonNode config, String configEntry,
      List<String> layerEntries, Optional<Descriptor> manifest) {}

  /**
   * Every image of the archive, following nested indexes; entries whose platform Go does not
   * know (attestations, {@code unknown/unknown}) are left out.
   *
   * @return the images
   * @throws IOException if a document is missing or malformed
   */
  public List<Image> images() throws IOException {
    List<Image> images = new ArrayList<>();
    if (isOciLayout()) {
      JsonNode index = OciJson.read(read("index.json"), path + "!index.json");
      collect(OciJson.manifests(index), images, 0);
    } else {
      JsonNode manifest = MAPPER.readTree(read("manifest.json"));
      for (JsonNode entry : manifest) {
        String configEntry = entry.path("Config").asText();
        JsonNode config = OciJson.read(read(configEntry), path + "!" + configEntry);
        List<String> layers = new ArrayList<>();
        entry.path("Layers").forEach(l -> layers.add(l.asText()));
        Optional<Platform> platform = OciJson.platform(config);
        if (platform.isPresent()) {
          images.add(new Image(platform.get(), config, configEntry, layers, Optional.empty()));
        }
      }
    }
    return images;
  }

  private void collect(List<Descriptor> descriptors, List<Image> images, int depth)
      throws IOException {
    if (depth > 4) {
      throw new IOException(path + " nests indexes deeper than any image tool writes");
    }
    for (Descriptor d : descriptors) {
      String blob = blob(d.digest());
      if (OciJson.isIndex(d.mediaType())) {
        collect(OciJson.manifests(OciJson.read(read(blob), path + "!" + blob)), images, depth + 1);
        continue;
      }
      if (d.platform().isEmpty() && depth > 0) {
        // An index entry without a platform is not a runnable image (an attestation, say).
        continue;
      }
      JsonNode manifest = OciJson.read(read(blob), path + "!" + blob);
      Descriptor config = OciJson.config(manifest);
      String configEntry = blob(config.digest());
      JsonNode configJson = OciJson.read(read(configEntry), path + "!" + configEntry);
      Optional<Platform> platform = d.platform().or(() -> OciJson.platform(configJson));
      if (platform.isEmpty()) {
        continue;
      }
      List<String> layers = new ArrayList<>();
      for (Descriptor layer : OciJson.layers(manifest)) {
        layers.add(blob(layer.digest()));
      }
      images.add(new Image(platform.get(), configJson, configEntry, layers, Optional.of(
          new Descriptor(d.mediaType().isEmpty() ? OciJson.OCI_MANIFEST : d.mediaType(),
              d.digest(), d.size(), platform))));
    }
  }

  private static String blob(String digest) {
    return "blobs/" + digest.replace(':', '/');
  }

  /**
   * The image for a platform.
   *
   * @param wanted the platform
   * @return the image
   * @throws IOException if the archive has none for it; the message lists what it has
   */
  public Image image(Platform wanted) throws IOException {
    List<Image> images = images();
    return images.stream().filter(i -> i.platform().equals(wanted)).findFirst()
        .or(() -> images.stream().filter(i -> wanted.runsOn(i.platform())).findFirst())
        .orElseThrow(() -> new IOException(path + " has no image for " + wanted + "; it has "
            + (images.isEmpty() ? "none" : images.stream().map(i -> i.platform().toString())
            .distinct().toList())));
  }

  /**
   * Bytes to put into an archive.
   *
   * @param size how many
   * @param open opens them
   */
  public record Source(long size, IoSupplier open) {
    /**
     * A file's bytes.
     *
     * @param file the file
     * @return the source
     * @throws IOException if its size cannot be read
     */
    public static Source of(Path file) throws IOException {
      return new Source(Files.size(file), () -> Files.newInputStream(file));
    }
  }

  /** Opens a stream. */
  @FunctionalInterface
  public interface IoSupplier {
    /**
     * Opens it.
     *
     * @return the stream
     * @throws IOException if it cannot be opened
     */
    InputStream get() throws IOException;
  }

  /**
   * An entry's bytes, to copy into another archive.
   *
   * @param name the entry
   * @return the source
   * @throws IOException if there is no such entry
   */
  public Source source(String name) throws IOException {
    return new Source(size(name), () -> open(name));
  }

  /**
   * Writes one image as a {@code docker save} tar, the only archive format jib-core takes as a
   * base image.
   *
   * @param out the file to write; replaced atomically
   * @param config the image config
   * @param layers the layers, bottom first, compressed or not
   * @throws IOException if reading or writing fails
   */
  public static void writeDockerArchive(Path out, Source config, List<Source> layers)
      throws IOException {
    ArrayNode manifest = MAPPER.createArrayNode();
    ObjectNode entry = manifest.addObject();
    entry.put("Config", "config.json");
    entry.putArray("RepoTags");
    ArrayNode names = entry.putArray("Layers");
    for (int i = 0; i < layers.size(); i++) {
      names.add("layer-" + i + ".tar");
    }
    Path temp = Files.createTempFile(out.getParent(), ".incoming-", ".tar");
    try {
      try (TarArchiveOutputStream tarOut = tarOutput(Files.newOutputStream(temp))) {
        putBytes(tarOut, "manifest.json", MAPPER.writeValueAsBytes(manifest));
        putSource(tarOut, "config.json", config);
        for (int i = 0; i < layers.size(); i++) {
          putSource(tarOut, "layer-" + i + ".tar", layers.get(i));
        }
      }
      Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Writes an OCI image layout tar holding an image index over single-image archives (as jib
   * writes them), one per platform: {@code index.json} names the index, the index lists each
   * platform's manifest, and every blob is stored once.
   *
   * @param out the file to write
   * @param refName the image name for {@code index.json}'s ref.name annotation
   * @param perPlatform each platform's single-image OCI layout tar, in index order
   * @return the index's descriptor
   * @throws IOException if an archive cannot be read or the file written
   */
  public static Descriptor writeIndexLayout(Path out, String refName, Map<Platform, Path> perPlatform)
      throws IOException {
    List<ImageArchive> archives = new ArrayList<>();
    try {
      List<Descriptor> manifests = new ArrayList<>();
      Map<String, ImageArchive> blobs = new TreeMap<>();
      for (Map.Entry<Platform, Path> e : perPlatform.entrySet()) {
        ImageArchive archive = open(e.getValue());
        archives.add(archive);
        List<Image> images = archive.images();
        if (images.size() != 1 || images.get(0).manifest().isEmpty()) {
          throw new IOException(e.getValue() + " is not a single-image OCI layout");
        }
        Image image = images.get(0);
        Descriptor m = image.manifest().get();
        manifests.add(new Descriptor(m.mediaType(), m.digest(), m.size(), Optional.of(e.getKey())));
        blobs.put(blob(m.digest()), archive);
        blobs.put(image.configEntry(), archive);
        image.layerEntries().forEach(l -> blobs.put(l, archive));
      }
      byte[] index = OciJson.index(manifests, Map.of());
      Descriptor indexDescriptor =
          new Descriptor(OciJson.OCI_INDEX, OciJson.digest(index), index.length, Optional.empty());
      byte[] layoutIndex = OciJson.index(List.of(indexDescriptor),
          Map.of(indexDescriptor.digest(), refName));
      Path temp = out.resolveSibling(out.getFileName() + ".tmp");
      try (TarArchiveOutputStream tarOut = tarOutput(Files.newOutputStream(temp))) {
        putBytes(tarOut, "oci-layout",
            "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        putBytes(tarOut, "index.json", layoutIndex);
        blobs.put(blob(indexDescriptor.digest()), null);
        for (Map.Entry<String, ImageArchive> b : blobs.entrySet()) {
          if (b.getValue() == null) {
            putBytes(tarOut, b.getKey(), index);
          } else {
            putSource(tarOut, b.getKey(), b.getValue().source(b.getKey()));
          }
        }
      }
      Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return indexDescriptor;
    } finally {
      for (ImageArchive archive : archives) {
        archive.close();
      }
    }
  }

  private static TarArchiveOutputStream tarOutput(OutputStream out) {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    return tar;
  }

  private static TarArchiveEntry entry(String name, long size) {
    // Fixed owner, mode and time: the archive's bytes depend on its content only.
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(size);
    entry.setMode(0644);
    entry.setModTime(new Date(0));
    entry.setIds(0, 0);
    entry.setNames("", "");
    return entry;
  }

  private static void putBytes(TarArchiveOutputStream tar, String name, byte[] bytes)
      throws IOException {
    tar.putArchiveEntry(entry(name, bytes.length));
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static void putSource(TarArchiveOutputStream tar, String name, Source source)
      throws IOException {
    tar.putArchiveEntry(entry(name, source.size()));
    try (InputStream in = source.open().get()) {
      in.transferTo(tar);
    }
    tar.closeArchiveEntry();
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
