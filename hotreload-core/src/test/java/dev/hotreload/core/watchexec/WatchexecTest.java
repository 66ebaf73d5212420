package dev.hotreload.core.watchexec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.hotreload.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locates watchexec in kodata/, and downloads it from a real HTTP server on the loopback. */
class WatchexecTest {
  private static final int X86_64 = 62;
  private static final int AARCH64 = 183;

  @TempDir Path workspace;
  private HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      String path = exchange.getRequestURI().getPath();
      if (path.startsWith("/redirect/")) {
        exchange.getResponseHeaders().add("Location", path.substring("/redirect".length()));
        exchange.sendResponseHeaders(302, -1);
      } else if (files.containsKey(path)) {
        byte[] body = files.get(path);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The first 64 bytes of a static 64-bit little-endian Linux executable. */
  private static byte[] elf(int machine) {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    b.putShort(16, (short) 2).putShort(18, (short) machine).putInt(20, 1);
    b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 0);
    return b.array();
  }

  private Path kodataWatchexec(byte[] content) throws IOException {
    Path file = Files.createDirectories(workspace.resolve("kodata")).resolve("watchexec");
    Files.write(file, content);
    return file;
  }

  private static byte[] tar(String name, byte[] content, boolean xz) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream compressed = xz ? new XZCompressorOutputStream(bytes)
            : new GZIPOutputStream(bytes);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
      TarArchiveEntry readme = new TarArchiveEntry("watchexec-2.3.2/README.md");
      byte[] text = "read me".getBytes(StandardCharsets.UTF_8);
      readme.setSize(text.length);
      tar.putArchiveEntry(readme);
      tar.write(text);
      tar.closeArchiveEntry();
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setSize(content.length);
      tar.putArchiveEntry(entry);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  private static byte[] zip(String name, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      zip.putArchiveEntry(new ZipArchiveEntry(name));
      zip.write(content);
      zip.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private Watchexec.Locator locator() {
    return Watchexec.forWorkspace(workspace).platform(Platform.LINUX_AMD64);
  }

  private Stream<String> kodataNames() throws IOException {
    Path kodata = workspace.resolve("kodata");
    return Files.exists(kodata)
        ? Files.list(kodata).map(p -> p.getFileName().toString()).sorted() : Stream.empty();
  }

  @Test
  void missing_withoutUrl_saysWhereToPutItAndHowToBuildIt() {
    assertThatThrownBy(() -> locator().locate())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No watchexec at " + workspace.resolve("kodata/watchexec"))
        .hasMessageContaining("/var/run/ko/watchexec")
        .hasMessageContaining("cargo install watchexec-cli --locked --target "
            + "x86_64-unknown-linux-musl")
        .hasMessageContaining("copy /tmp/watchexec/bin/watchexec to "
            + workspace.resolve("kodata/watchexec"));
  }

  @Test
  void binaryForTheRightArchitecture_isFound_andGitignoreIsLeftAlone() throws Exception {
    Path file = kodataWatchexec(elf(X86_64));

    Watchexec watchexec = locator().locate();

    assertThat(watchexec.path()).isEqualTo(file);
    assertThat(watchexec.platform()).isEqualTo(Platform.LINUX_AMD64);
    assertThat(watchexec.staticallyLinked()).isTrue();
    assertThat(watchexec.downloaded()).isFalse();
    assertThat(workspace.resolve("kodata/.gitignore")).doesNotExist();
    assertThat(requests).hasValue(0);
  }

  @Test
  void binaryForAnotherArchitecture_isRefusedNamingBoth() throws Exception {
    kodataWatchexec(elf(AARCH64));

    assertThatThrownBy(() -> locator().locate())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("kodata/watchexec is for aarch64 but the pods run linux/amd64")
        .hasMessageContaining("x86_64-unknown-linux-musl");
    assertThat(Watchexec.forWorkspace(workspace).platform("linux/arm64").locate().platform())
        .isEqualTo(Platform.LINUX_ARM64);
  }

  @Test
  void macOsBinary_isRefusedSayingWhatItIs() throws Exception {
    kodataWatchexec(new byte[] {(byte) 0xcf, (byte) 0xfa, (byte) 0xed, (byte) 0xfe, 7, 0, 0, 1});

    assertThatThrownBy(() -> locator().locate())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("kodata/watchexec is a macOS (Mach-O) binary but the pods run "
            + "linux/amd64");
  }

  @Test
  void dynamicallyLinkedBinary_isReportedAsSuch() throws Exception {
    // This machine's own programs are dynamically linked executables for the host's platform.
    Files.createDirectories(workspace.resolve("kodata"));
    Files.copy(Path.of("/bin/sleep"), workspace.resolve("kodata/watchexec"));

    Watchexec watchexec =
        Watchexec.forWorkspace(workspace).platform(Platform.linuxHost()).locate();

    assertThat(watchexec.staticallyLinked()).isFalse();
    assertThat(watchexec.toString()).contains("dynamically linked, needs /lib");
  }

  @Test
  void missing_withUrl_downloadsATarGz_installsIt0755_andIgnoresItInGit() throws Exception {
    files.put("/wx.tar.gz", tar("watchexec-2.3.2/watchexec", elf(X86_64), false));

    Watchexec watchexec = locator().downloadUrl(url("/wx.tar.gz")).locate();

    Path installed = workspace.resolve("kodata/watchexec");
    assertThat(watchexec.path()).isEqualTo(installed);
    assertThat(watchexec.downloaded()).isTrue();
    assertThat(Files.readAllBytes(installed)).isEqualTo(elf(X86_64));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(installed)))
        .isEqualTo("rwxr-xr-x");
    assertThat(workspace.resolve("kodata/.gitignore")).hasContent("watchexec");
    assertThat(kodataNames()).containsExactly(".gitignore", "watchexec");

    Watchexec again = locator().downloadUrl(url("/wx.tar.gz")).locate();
    assertThat(again.downloaded()).isFalse();
    assertThat(requests).hasValue(1);
  }

  @Test
  void tarXzZipAndBareBinaries_allInstall_afterARedirect() throws Exception {
    byte[] binary = elf(X86_64);
    files.put("/a.tar.xz", tar("dir/watchexec", binary, true));
    files.put("/b.zip", zip("watchexec-2.3.2/watchexec", binary));
    files.put("/c", binary);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(binary);
    }
    files.put("/d.gz", gz.toByteArray());

    for (String path : new String[] {"/a.tar.xz", "/b.zip", "/c", "/d.gz"}) {
      Files.deleteIfExists(workspace.resolve("kodata/watchexec"));
      Watchexec watchexec = locator().downloadUrl(url("/redirect" + path)).locate();
      assertThat(watchexec.downloaded()).as(path).isTrue();
      assertThat(Files.readAllBytes(watchexec.path())).as(path).isEqualTo(binary);
    }
  }

  @Test
  void gitignore_getsTheLineOnce_andKeepsWhatItHad() throws Exception {
    files.put("/c", elf(X86_64));
    Path gitignore = Files.createDirectories(workspace.resolve("kodata")).resolve(".gitignore");
    Files.writeString(gitignore, "*.log");

    for (int i = 0; i < 2; i++) {
      Files.deleteIfExists(workspace.resolve("kodata/watchexec"));
      locator().downloadUrl(url("/c")).locate();
    }
    assertThat(gitignore).hasContent("*.log\nwatchexec");

    Files.writeString(gitignore, "/watchexec\n");
    Files.delete(workspace.resolve("kodata/watchexec"));
    locator().downloadUrl(url("/c")).locate();
    assertThat(gitignore).hasContent("/watchexec");
  }

  @Test
  void downloadWithTheWrongChecksum_isRefused_andLeavesNothingBehind() throws Exception {
    byte[] archive = tar("watchexec", elf(X86_64), false);
    files.put("/wx.tar.gz", archive);

    assertThatThrownBy(() -> locator().downloadUrl(url("/wx.tar.gz"))
            .downloadSha256("0".repeat(64)).locate())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("has sha256 " + sha256(archive) + ", expected " + "0".repeat(64));
    assertThat(kodataNames()).isEmpty();

    assertThat(locator().downloadUrl(url("/wx.tar.gz")).downloadSha256(sha256(archive))
        .locate().downloaded()).isTrue();
  }

  @Test
  void downloadForAnotherArchitecture_isRefusedNamingTheUrl_andLeavesNothingBehind()
      throws Exception {
    files.put("/arm.tar.xz", tar("w/watchexec", elf(AARCH64), true));

    assertThatThrownBy(() -> locator().downloadUrl(url("/arm.tar.xz")).locate())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("The watchexec downloaded from " + url("/arm.tar.xz")
            + " is for aarch64 but the pods run linux/amd64 (w/watchexec in a tar.xz)");
    assertThat(kodataNames()).isEmpty();
  }

  @Test
  void downloadThatFailsOrHoldsNoWatchexec_saysSo() throws Exception {
    files.put("/other.zip", zip("bin/other", elf(X86_64)));

    assertThatThrownBy(() -> locator().downloadUrl(url("/missing")).locate())
        .isInstanceOf(IOException.class).hasMessageContaining("HTTP 404")
        .hasMessageContaining(url("/missing"));
    assertThatThrownBy(() -> locator().downloadUrl(url("/other.zip")).locate())
        .isInstanceOf(IOException.class).hasMessageContaining("holds no file named watchexec");
    assertThat(kodataNames()).isEmpty();
  }

  @Test
  void badSettings_areRefusedQuotingTheValue() {
    assertThatThrownBy(() -> locator().platform("darwin/arm64"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'darwin/arm64'");
    assertThatThrownBy(() -> locator().downloadUrl("file:///tmp/watchexec"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'file:///tmp/watchexec'");
    assertThatThrownBy(() -> locator().downloadSha256("abc"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'abc'");
  }
}
