package dev.hotreload.core.agent;

import dev.hotreload.BuildFailedException;
import dev.hotreload.Platform;
import dev.hotreload.core.build.CacheDirectory;
import dev.hotreload.core.build.GoToolchain;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds the in-container agent for a platform from the Go source shipped inside this jar, with
 * the developer's own Go toolchain, and caches it by (source hash, platform) under {@code
 * <cache>/agent/}. Nothing is downloaded: the agent is as trustworthy as the jar.
 *
 * <p>Thread-safe; concurrent builds for the same platform end with the same file (each builds
 * into a temp name and renames).
 */
public final class AgentBinaries {
  static final String SOURCE_ROOT = "dev/hotreload/core/agent/go";

  private final Path cacheDirectory;
  private final GoToolchain go;

  /**
   * Uses a cache directory and a toolchain.
   *
   * @param cacheDirectory where agents are cached
   * @param go the Go toolchain
   */
  public AgentBinaries(Path cacheDirectory, GoToolchain go) {
    this.cacheDirectory = cacheDirectory;
    this.go = go;
  }

  /**
   * Uses the default cache directory and the {@code go} on PATH.
   *
   * @return the agent builder
   * @throws IOException if there is no Go toolchain
   */
  public static AgentBinaries createDefault() throws IOException {
    return new AgentBinaries(CacheDirectory.resolve(), GoToolchain.find());
  }

  /**
   * The agent binary for a platform, building it on first use.
   *
   * @param platform where it will run
   * @return a static executable
   * @throws IOException if the source cannot be read or the build fails
   */
  public synchronized Path agentFor(Platform platform) throws IOException {
    Map<String, byte[]> sources = sources();
    String hash = hash(sources);
    Path dir = cacheDirectory.resolve("agent").resolve(hash);
    Path binary = dir.resolve(platform.toString().replace('/', '_')).resolve(AgentLayout.NAME);
    if (Files.isExecutable(binary)) {
      return binary;
    }
    Path src = dir.resolve("src");
    if (!Files.isRegularFile(src.resolve("go.mod"))) {
      Path temp = Files.createDirectories(dir).resolve("src.tmp-" + ProcessHandle.current().pid());
      for (Map.Entry<String, byte[]> file : sources.entrySet()) {
        Path target = temp.resolve(file.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, file.getValue());
      }
      try {
        Files.move(temp, src, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (!Files.isRegularFile(src.resolve("go.mod"))) {
          throw e;
        }
      }
    }
    Files.createDirectories(binary.getParent());
    Path temp = binary.resolveSibling(AgentLayout.NAME + ".tmp-" + ProcessHandle.current().pid());
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GOOS", platform.os());
    env.put("GOARCH", platform.architecture());
    env.put("CGO_ENABLED", "0");
    env.put("GOFLAGS", "-mod=mod");
    platform.variant().filter(v -> platform.architecture().equals("arm"))
        .ifPresent(v -> env.put("GOARM", v.replace("v", "")));
    GoToolchain.Result result = go.run(src, env,
        List.of("build", "-trimpath", "-ldflags=-s -w", "-o", temp.toString(), "."));
    if (!result.ok()) {
      throw new BuildFailedException("Building the hotreload agent for " + platform
          + " failed (this is a bug in hotreload, or a Go toolchain older than 1.22): "
          + result.stderr().strip(), platform, AgentBinaries.class, List.of(), null);
    }
    Files.move(temp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return binary;
  }

  /** The agent's Go files (tests excluded), by path relative to the agent directory. */
  static Map<String, byte[]> sources() throws IOException {
    URL marker = AgentBinaries.class.getClassLoader().getResource(SOURCE_ROOT + "/go.mod");
    if (marker == null) {
      throw new IOException("The agent's Go source (" + SOURCE_ROOT + ") is missing from the "
          + "class path: hotreload-core was packaged without src/main/go");
    }
    try {
      URI uri = marker.toURI();
      if (uri.getScheme().equals("jar")) {
        FileSystem jar;
        try {
          jar = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          jar = FileSystems.getFileSystem(uri);
        }
        return read(jar.provider().getPath(uri).getParent());
      }
      return read(Path.of(uri).getParent());
    } catch (URISyntaxException e) {
      throw new IOException("Bad resource URL " + marker, e);
    }
  }

  private static Map<String, byte[]> read(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(paths::add);
    }
    for (Path path : paths) {
      String relative = root.relativize(path).toString();
      if (relative.endsWith("_test.go") || relative.contains("testdata")) {
        continue;
      }
      try (InputStream in = Files.newInputStream(path)) {
        files.put(relative, in.readAllBytes());
      }
    }
    return files;
  }

  private static String hash(Map<String, byte[]> sources) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> file : sources.entrySet()) {
        digest.update(file.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(file.getValue());
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
