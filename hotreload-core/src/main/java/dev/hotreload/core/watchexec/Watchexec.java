package dev.hotreload.core.watchexec;

import dev.hotreload.Platform;
import dev.hotreload.core.build.ElfHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code watchexec} binary that the watchexec supervisor runs in the pods, found in the
 * workspace's {@code kodata/} directory. ko copies {@code kodata/} into the image at {@code
 * /var/run/ko}, so the binary runs there as {@value #IMAGE_PATH}.
 *
 * <p>{@link Locator#locate()} finds {@code kodata/watchexec}; when it is missing and a download
 * URL is set it downloads the release file, takes {@code watchexec} out of it ({@code .tar.gz},
 * {@code .tar.xz}, {@code .zip} or a bare binary), puts it there with mode 0755 and adds {@code
 * watchexec} to {@code kodata/.gitignore}. It then checks that the file is a Linux ELF executable
 * for the pods' CPU, so that a wrong build is refused here instead of failing in every pod with
 * "exec format error".
 *
 * <pre>{@code
 * Watchexec watchexec = Watchexec.forWorkspace(Path.of("."))
 *     .platform("linux/arm64")
 *     .downloadUrl("https://example.com/watchexec-2.3.2-aarch64-unknown-linux-musl.tar.xz")
 *     .downloadSha256("…")
 *     .locate();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. Locating blocks while it downloads; two locators
 * racing for the same workspace each download and the last atomic rename wins.
 */
public final class Watchexec {

  /** Where watchexec is in the image: ko's kodata directory. */
  public static final String IMAGE_PATH = "/var/run/ko/watchexec";

  /** The file name in {@code kodata/} and in release archives. */
  public static final String FILE_NAME = "watchexec";

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** Rust target triples of static (musl) builds, for the message that says how to build one. */
  private static final Map<String, String> MUSL_TARGETS =
      Map.of(
          "amd64", "x86_64-unknown-linux-musl",
          "arm64", "aarch64-unknown-linux-musl",
          "arm", "armv7-unknown-linux-musleabihf",
          "386", "i686-unknown-linux-musl",
          "riscv64", "riscv64gc-unknown-linux-musl",
          "ppc64le", "powerpc64le-unknown-linux-musl",
          "s390x", "s390x-unknown-linux-gnu");

  private final Path path;
  private final Platform platform;
  private final Optional<String> interpreter;
  private final boolean downloaded;

  private Watchexec(Path path, Platform platform, Optional<String> interpreter,
      boolean downloaded) {
    this.path = path;
    this.platform = platform;
    this.interpreter = interpreter;
    this.downloaded = downloaded;
  }

  /**
   * Starts locating watchexec for a workspace.
   *
   * @param workspace the Go module root, whose {@code kodata/} ko puts in the image
   * @return the locator
   */
  public static Locator forWorkspace(Path workspace) {
    return new Locator(Objects.requireNonNull(workspace, "workspace"));
  }

  /**
   * The binary on this machine.
   *
   * @return {@code <workspace>/kodata/watchexec}
   */
  public Path path() {
    return path;
  }

  /**
   * The platform the binary was checked against.
   *
   * @return the pods' platform
   */
  public Platform platform() {
    return platform;
  }

  /**
   * Whether the binary needs no dynamic loader. A dynamically linked build runs only on images
   * that carry the same C library (a glibc build fails on Alpine or BusyBox images with "not
   * found"); a static musl build runs on any image.
   *
   * @return true if the ELF file asks for no program interpreter
   */
  public boolean staticallyLinked() {
    return interpreter.isEmpty();
  }

  /**
   * Whether this call to {@link Locator#locate()} downloaded the binary.
   *
   * @return true if it was absent and has been downloaded
   */
  public boolean downloaded() {
    return downloaded;
  }

  @Override
  public String toString() {
    return "watchexec " + path + " for " + platform
        + interpreter.map(i -> " (dynamically linked, needs " + i + ")").orElse(" (static)");
  }

  /**
   * Configures where watchexec comes from and which platform it must run on. Not thread-safe;
   * single use.
   */
  public static final class Locator {
    private final Path workspace;
    private Platform platform = Platform.linuxHost();
    private URI downloadUrl;
    private String downloadSha256;
    private HttpClient httpClient;
    private Duration downloadTimeout = Duration.ofMinutes(5);

    private Locator(Path workspace) {
      this.workspace = workspace;
    }

    /**
     * The pods' platform, which the binary must be built for.
     *
     * @param platform a Linux platform; default {@link Platform#linuxHost()}
     * @return this
     * @throws IllegalArgumentException if it is not Linux: containers run Linux binaries
     */
    public Locator platform(Platform platform) {
      Objects.requireNonNull(platform, "platform");
      if (!platform.os().equals("linux")) {
        throw new IllegalArgumentException(
            "Platform '" + platform + "': watchexec runs in Linux containers; use linux/"
                + platform.architecture());
      }
      this.platform = platform;
      return this;
    }

    /**
     * The pods' platform, parsed.
     *
     * @param platform like {@code linux/arm64}
     * @return this
     * @throws IllegalArgumentException if it does not parse or is not Linux
     */
    public Locator platform(String platform) {
      return platform(Platform.parse(platform));
    }

    /**
     * Where to download watchexec from when {@code kodata/watchexec} is missing: a release file
     * ({@code .tar.gz}, {@code .tar.xz}, {@code .zip}) that contains a file named {@code
     * watchexec}, or the binary itself. Redirects are followed.
     *
     * @param url an {@code http} or {@code https} URL
     * @return this
     * @throws IllegalArgumentException if it is not http or https
     */
    public Locator downloadUrl(URI url) {
      Objects.requireNonNull(url, "downloadUrl");
      String scheme = Optional.ofNullable(url.getScheme()).orElse("").toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException(
            "downloadUrl '" + url + "' must be an http or https URL");
      }
      this.downloadUrl = url;
      return this;
    }

    /**
     * Where to download watchexec from, parsed.
     *
     * @param url an {@code http} or {@code https} URL
     * @return this
     * @throws IllegalArgumentException if it does not parse or is not http or https
     */
    public Locator downloadUrl(String url) {
      Objects.requireNonNull(url, "downloadUrl");
      try {
        return downloadUrl(new URI(url));
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("downloadUrl '" + url + "' is not a URL: "
            + e.getReason(), e);
      }
    }

    /**
     * The SHA-256 the downloaded file (the archive, as downloaded) must have; a download that
     * does not match is refused. Without it the download is trusted as it comes.
     *
     * @param sha256 64 hex digits
     * @return this
     * @throws IllegalArgumentException if it is not 64 hex digits
     */
    public Locator downloadSha256(String sha256) {
      Objects.requireNonNull(sha256, "downloadSha256");
      String lower = sha256.trim().toLowerCase(Locale.ROOT);
      if (!SHA256.matcher(lower).matches()) {
        throw new IllegalArgumentException(
            "downloadSha256 '" + sha256 + "' is not 64 hex digits");
      }
      this.downloadSha256 = lower;
      return this;
    }

    /**
     * The HTTP client used to download.
     *
     * @param client a client; default a new one that follows redirects
     * @return this
     */
    public Locator httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * The longest a download may take.
     *
     * @param timeout positive; default 5 minutes
     * @return this
     * @throws IllegalArgumentException if it is not positive
     */
    public Locator downloadTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "downloadTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("downloadTimeout " + timeout + " must be positive");
      }
      this.downloadTimeout = timeout;
      return this;
    }

    /**
     * Finds {@code kodata/watchexec}, downloading it first if it is missing and a URL is set, and
     * checks that it runs on the platform.
     *
     * @return the binary
     * @throws IllegalStateException if it is missing and no download URL is set (the message says
     *     where to put one and how to build it), or if it is not a Linux executable for the
     *     platform's CPU
     * @throws IOException if the download fails, does not match {@link #downloadSha256}, or holds
     *     no {@code watchexec}; nothing is left in {@code kodata/} then
     */
    public Watchexec locate() throws IOException {
      Path kodata = workspace.resolve("kodata");
      Path binary = kodata.resolve(FILE_NAME);
      boolean downloaded = false;
      if (!Files.exists(binary)) {
        if (downloadUrl == null) {
          throw new IllegalStateException(missingMessage(binary));
        }
        download(kodata, binary);
        downloaded = true;
      }
      if (!Files.isRegularFile(binary)) {
        throw new IllegalStateException(
            "kodata/watchexec (" + binary.toAbsolutePath() + ") is not a regular file; "
                + buildHint());
      }
      check(binary, "kodata/watchexec", binary.toAbsolutePath().toString());
      return new Watchexec(binary, platform, ElfHeader.interpreter(binary), downloaded);
    }

    private void check(Path file, String what, String where) throws IOException {
      byte[] head;
      try (InputStream in = Files.newInputStream(file)) {
        head = in.readNBytes(512);
      }
      Optional<ElfHeader> elf = ElfHeader.parse(head);
      if (elf.isEmpty()) {
        throw new IllegalStateException(
            what + " is " + ElfHeader.describeNonElf(head) + " but the pods run " + platform
                + " and need a Linux executable (" + where + "). " + buildHint());
      }
      if (!elf.get().runsOn(platform)) {
        throw new IllegalStateException(
            what + " is for " + elf.get().describe() + " but the pods run " + platform + " ("
                + where + "). " + buildHint());
      }
    }

    private void download(Path kodata, Path binary) throws IOException {
      Files.createDirectories(kodata);
      Path archive = Files.createTempFile(kodata, ".watchexec-download-", ".tmp");
      Path extracted = Files.createTempFile(kodata, ".watchexec-", ".tmp");
      try {
        String sha256 = fetch(archive);
        if (downloadSha256 != null && !downloadSha256.equals(sha256)) {
          throw new IOException(
              "Download " + downloadUrl + " has sha256 " + sha256 + ", expected "
                  + downloadSha256 + "; not installed");
        }
        Optional<String> found = BinaryArchives.extract(archive, FILE_NAME, extracted);
        if (found.isEmpty()) {
          throw new IOException(
              "Download " + downloadUrl + " holds no file named watchexec (expected a release "
                  + ".tar.gz, .tar.xz or .zip with a watchexec binary, or the binary itself)");
        }
        check(extracted, "The watchexec downloaded from " + downloadUrl, found.get());
        Files.setPosixFilePermissions(extracted, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
          Files.move(extracted, binary, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(extracted, binary, StandardCopyOption.REPLACE_EXISTING);
        }
        ignoreInGit(kodata.resolve(".gitignore"));
      } finally {
        Files.deleteIfExists(archive);
        Files.deleteIfExists(extracted);
      }
    }

    /** Downloads into the file and returns the SHA-256 of what arrived. */
    private String fetch(Path archive) throws IOException {
      HttpClient client = httpClient != null ? httpClient
          : HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
              .connectTimeout(Duration.ofSeconds(30)).build();
      HttpRequest request = HttpRequest.newBuilder(downloadUrl).timeout(downloadTimeout)
          .header("User-Agent", "hotreload").GET().build();
      HttpResponse<InputStream> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("Interrupted while downloading " + downloadUrl);
      } catch (IOException e) {
        throw new IOException("Could not download watchexec from " + downloadUrl + ": " + e, e);
      }
      MessageDigest digest = sha256Digest();
      try (InputStream body = new DigestInputStream(response.body(), digest)) {
        if (response.statusCode() != 200) {
          throw new IOException(
              "Could not download watchexec from " + downloadUrl + ": HTTP "
                  + response.statusCode());
        }
        Files.copy(body, archive, StandardCopyOption.REPLACE_EXISTING);
      }
      return HexFormat.of().formatHex(digest.digest());
    }

    private static void ignoreInGit(Path gitignore) throws IOException {
      String existing =
          Files.exists(gitignore) ? Files.readString(gitignore, StandardCharsets.UTF_8) : "";
      boolean listed = existing.lines().map(String::strip)
          .anyMatch(line -> line.equals(FILE_NAME) || line.equals("/" + FILE_NAME));
      if (listed) {
        return;
      }
      String separator = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
      Files.writeString(gitignore, existing + separator + FILE_NAME + "\n", StandardCharsets.UTF_8);
    }

    private String missingMessage(Path binary) {
      return "No watchexec at " + binary.toAbsolutePath() + ": put a Linux watchexec binary for "
          + platform + " there (ko copies kodata/ into the image, where it runs as " + IMAGE_PATH
          + "), or set downloadUrl to a watchexec release for " + platform + ", or use the "
          + "default agent supervisor, which needs neither watchexec nor tar. " + buildHint();
    }

    private String buildHint() {
      String triple = MUSL_TARGETS.getOrDefault(
          platform.architecture(), "<" + platform.architecture() + " linux musl target>");
      return "To build a static one for " + platform + ": `rustup target add " + triple
          + "`, `cargo install watchexec-cli --locked --target " + triple
          + " --root /tmp/watchexec`, then copy /tmp/watchexec/bin/watchexec to "
          + workspace.resolve("kodata").resolve(FILE_NAME).toAbsolutePath() + ".";
    }

    private static MessageDigest sha256Digest() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("Every JVM has SHA-256", e);
      }
    }
  }
}
