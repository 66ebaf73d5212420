package dev.hotreload.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, plain-http image registry on the loopback for tests: Debian's {@code docker-registry}
 * (CNCF distribution 2.8) run as a child process with its own free port and a temporary storage
 * directory, stopped by its PID.
 *
 * <p>Use it per class as an extension, or per test with try-with-resources:
 *
 * <pre>{@code
 * @RegisterExtension static final LocalRegistry REGISTRY = LocalRegistry.perClass();
 *
 * try (LocalRegistry other = LocalRegistry.start()) { ... }
 * }</pre>
 *
 * <p>The binary is {@code /usr/bin/docker-registry} unless {@code HOTRELOAD_REGISTRY_BINARY}
 * names another. A missing binary fails the test with the package to install: a test that needs
 * a registry never passes without one.
 */
public final class LocalRegistry implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  /** Accept header for any manifest kind: OCI and Docker, single image and index. */
  public static final String ANY_MANIFEST =
      "application/vnd.oci.image.index.v1+json,"
          + "application/vnd.docker.distribution.manifest.list.v2+json,"
          + "application/vnd.oci.image.manifest.v1+json,"
          + "application/vnd.docker.distribution.manifest.v2+json";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private Path directory;
  private int port;

  private LocalRegistry() {}

  /**
   * A registry that starts before the first test of the class and stops after the last; register
   * it with {@code @RegisterExtension} on a static field.
   *
   * @return the not yet started registry
   */
  public static LocalRegistry perClass() {
    return new LocalRegistry();
  }

  /**
   * Starts a registry now.
   *
   * @return the running registry; close it to stop it
   * @throws IOException if it cannot be started, with its output
   */
  public static LocalRegistry start() throws IOException {
    LocalRegistry registry = new LocalRegistry();
    registry.startProcess();
    return registry;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    startProcess();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  private void startProcess() throws IOException {
    Path binary = binary();
    directory = Files.createTempDirectory("hotreload-registry-");
    IOException last = null;
    // A free port can be taken by someone else between finding it and the registry binding it.
    for (int attempt = 0; attempt < 3; attempt++) {
      port = freePort();
      Path config = directory.resolve("config.yml");
      Files.writeString(config, """
          version: 0.1
          log:
            level: warn
            accesslog:
              disabled: true
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: 127.0.0.1:%d
          """.formatted(directory.resolve("storage"), port));
      Path log = directory.resolve("registry.log");
      process = new ProcessBuilder(binary.toString(), "serve", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      try {
        awaitReady(log);
        return;
      } catch (IOException e) {
        last = e;
        stopProcess();
      }
    }
    deleteDirectory();
    throw last;
  }

  private static Path binary() {
    String configured = System.getenv("HOTRELOAD_REGISTRY_BINARY");
    if ((configured == null || configured.isBlank())
        && !Files.isExecutable(Path.of("/usr/bin/docker-registry"))) {
      installWithApt();
    }
    return binary(configured);
  }

  /**
   * On a fresh Debian machine, as root, installs the registry package so that the README's test
   * command needs nothing done by hand; elsewhere {@link #binary(String)} says what to install.
   */
  private static synchronized void installWithApt() {
    if (!"root".equals(System.getProperty("user.name"))
        || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
      return;
    }
    for (List<String> command : List.of(
        List.of("apt-get", "install", "-y", "-q", "docker-registry"),
        List.of("apt-get", "update", "-q"),
        List.of("apt-get", "install", "-y", "-q", "docker-registry"))) {
      try {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES);
      } catch (IOException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (Files.isExecutable(Path.of("/usr/bin/docker-registry"))) {
        return;
      }
    }
  }

  static Path binary(String configured) {
    Path binary = Path.of(
        configured == null || configured.isBlank() ? "/usr/bin/docker-registry" : configured);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "No image registry for the test: " + binary + " is missing. Install Debian's "
              + "'docker-registry' package (apt-get install -y docker-registry; do not start its "
              + "service, the tests run it themselves), or set HOTRELOAD_REGISTRY_BINARY to a "
              + "CNCF distribution 'registry' binary");
    }
    return binary;
  }

  private void awaitReady(Path log) throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited with " + process.exitValue() + " on port "
            + port + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<Void> response = http.send(
            HttpRequest.newBuilder(URI.create(url("/v2/"))).timeout(Duration.ofSeconds(1)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (ConnectException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for docker-registry", e);
      }
      sleep(20);
    }
    throw new IOException("docker-registry did not answer on 127.0.0.1:" + port + " within "
        + READY_TIMEOUT.toSeconds() + " s:\n" + Files.readString(log));
  }

  /**
   * Where the registry listens.
   *
   * @return {@code 127.0.0.1:<port>}
   */
  public String address() {
    if (process == null) {
      throw new IllegalStateException("the registry is not started");
    }
    return "127.0.0.1:" + port;
  }

  /**
   * An image reference in this registry.
   *
   * @param repositoryAndTag for example {@code hello:dev}
   * @return for example {@code 127.0.0.1:41234/hello:dev}
   */
  public String reference(String repositoryAndTag) {
    return address() + "/" + repositoryAndTag;
  }

  /**
   * GETs a path of the registry API.
   *
   * @param path for example {@code /v2/hello/manifests/dev}
   * @param accept the Accept header
   * @return the response
   * @throws IOException if the registry cannot be reached
   */
  public HttpResponse<byte[]> get(String path, String accept) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url(path)))
              .header("Accept", accept).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Pulls a manifest or index as a client would, accepting every kind.
   *
   * @param repository for example {@code hello}
   * @param reference a tag or digest
   * @return the response; its body is the manifest
   * @throws IOException if the registry cannot be reached or answers other than 200
   */
  public HttpResponse<byte[]> manifest(String repository, String reference) throws IOException {
    HttpResponse<byte[]> response =
        get("/v2/" + repository + "/manifests/" + reference, ANY_MANIFEST);
    if (response.statusCode() != 200) {
      throw new IOException("GET manifest " + repository + ":" + reference + " answered "
          + response.statusCode() + ": " + new String(response.body()));
    }
    return response;
  }

  /**
   * Pulls a blob, for example an image config.
   *
   * @param repository the repository
   * @param digest {@code sha256:…}
   * @return its bytes
   * @throws IOException if it cannot be had
   */
  public byte[] blob(String repository, String digest) throws IOException {
    HttpResponse<byte[]> response = get("/v2/" + repository + "/blobs/" + digest, "*/*");
    if (response.statusCode() != 200) {
      throw new IOException("GET blob " + repository + "@" + digest + " answered "
          + response.statusCode());
    }
    return response.body();
  }

  /**
   * Parses JSON bytes, for manifests and configs.
   *
   * @param bytes the JSON
   * @return the tree
   */
  public static JsonNode json(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Stops the registry and deletes its storage. Idempotent. */
  @Override
  public void close() {
    stopProcess();
    deleteDirectory();
  }

  private void stopProcess() {
    if (process == null) {
      return;
    }
    ProcessHandle handle = process.toHandle();
    handle.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        handle.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      handle.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private void deleteDirectory() {
    if (directory == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
    directory = null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for docker-registry", e);
    }
  }
}
