package dev.hotreload.core.watchexec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the stream back with commons-compress, and extracts it with the system's GNU tar. */
class TarStreamsTest {
  @TempDir Path dir;
  private Path root;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(dir.resolve("root"));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private Artifact artifact(String name, byte[] content) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, content);
    return new Artifact(file, sha256(content), content.length, Platform.LINUX_AMD64,
        "example.com/cmd/hello");
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static byte[] stream(Artifact artifact) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarStreams.writeBinary(artifact, "/ko-app", out);
    return out.toByteArray();
  }

  /** Runs the extraction command as the container will, with the root moved to a temp dir. */
  private int extract(byte[] tar) throws Exception {
    List<String> command = new ArrayList<>(TarStreams.EXTRACT_COMMAND);
    command.set(command.size() - 1, root.toString());
    Process tarProcess = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream stdin = tarProcess.getOutputStream()) {
      stdin.write(tar);
    }
    String output = new String(tarProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tarProcess.waitFor(10, TimeUnit.SECONDS)).isTrue();
    if (tarProcess.exitValue() == 0) {
      assertThat(output).as("tar prints no warnings").isEmpty();
    }
    return tarProcess.exitValue();
  }

  @Test
  void stream_holdsTheBytesUnderATemporaryName_thenAHardLinkAtTheFinalName() throws Exception {
    byte[] content = "new binary".getBytes(StandardCharsets.UTF_8);
    byte[] tar = stream(artifact("out", content));

    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry file = in.getNextEntry();
      assertThat(file.getName()).isEqualTo("ko-app/.hello.incoming");
      assertThat(file.isFile()).isTrue();
      assertThat(file.getMode() & 07777).isEqualTo(0755);
      assertThat(file.getModTime().getTime()).isZero();
      assertThat(file.getLongUserId()).isZero();
      assertThat(in.readAllBytes()).isEqualTo(content);

      TarArchiveEntry link = in.getNextEntry();
      assertThat(link.getName()).isEqualTo("ko-app/hello");
      assertThat(link.isLink()).isTrue();
      assertThat(link.getLinkName()).isEqualTo("ko-app/.hello.incoming");
      assertThat(in.getNextEntry()).isNull();
    }
  }

  @Test
  void sameBinary_givesTheSameBytes_andTheCountWritten() throws Exception {
    Artifact artifact = artifact("out", new byte[100_000]);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long written = TarStreams.writeBinary(artifact, "/ko-app/", out);

    assertThat(written).isEqualTo(out.size());
    assertThat(out.toByteArray()).isEqualTo(stream(artifact));
  }

  @Test
  void tarExtractsTheBinaryExecutable_asASecondNameOfTheTemporaryFile() throws Exception {
    assertThat(extract(stream(artifact("out", "v1".getBytes(StandardCharsets.UTF_8))))).isZero();

    Path binary = root.resolve("ko-app/hello");
    assertThat(Files.readString(binary)).isEqualTo("v1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(binary)))
        .isEqualTo("rwxr-xr-x");
    assertThat(Files.isSameFile(binary, root.resolve("ko-app/.hello.incoming"))).isTrue();
  }

  @Test
  void deliveringOverARunningBinary_leavesTheRunningProcessAlone_everyTime() throws Exception {
    Path koApp = Files.createDirectories(root.resolve("ko-app"));
    Path binary = koApp.resolve("hello");
    byte[] sleep = Files.readAllBytes(Path.of("/bin/sleep"));
    Files.write(binary, sleep);
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));

    for (int i = 0; i < 3; i++) {
      // From the second round on, the temporary name is the running binary's inode: tar must
      // unlink it, not write into it (which fails with ETXTBSY).
      started.add(new ProcessBuilder(binary.toString(), "60").start());
      ByteArrayOutputStream next = new ByteArrayOutputStream();
      next.write(sleep);
      next.write(("version " + i).getBytes(StandardCharsets.UTF_8));

      assertThat(extract(stream(artifact("out" + i, next.toByteArray())))).isZero();
      assertThat(Files.readAllBytes(binary)).isEqualTo(next.toByteArray());
    }
    Thread.sleep(100);
    assertThat(started).hasSize(3).allMatch(Process::isAlive);
  }

  @Test
  void streamCutInsideAnEntry_failsTar_andLeavesTheBinaryUntouched() throws Exception {
    assertThat(extract(stream(artifact("v1", new byte[50_000])))).isZero();
    byte[] v2 = stream(artifact("v2", "x".repeat(50_000).getBytes(StandardCharsets.UTF_8)));

    for (int cut : new int[] {100, 512, 20_000, 50_000}) {
      assertThat(extract(java.util.Arrays.copyOf(v2, cut)))
          .as("tar exit code for %d bytes", cut).isNotZero();
      assertThat(Files.readAllBytes(root.resolve("ko-app/hello"))).isEqualTo(new byte[50_000]);
    }
  }

  @Test
  void streamCutJustBeforeTheLink_isAcceptedByTar_butChangesNothingTheWatcherActsOn()
      throws Exception {
    // tar accepts an archive that ends on an entry boundary, so its exit code alone cannot prove
    // a delivery: the transport must also know that it wrote the whole stream.
    assertThat(extract(stream(artifact("v1", new byte[50_000])))).isZero();
    byte[] v2 = stream(artifact("v2", "x".repeat(50_000).getBytes(StandardCharsets.UTF_8)));
    int beforeLink = 512 + 50_176;

    assertThat(extract(java.util.Arrays.copyOf(v2, beforeLink))).isZero();
    assertThat(Files.readAllBytes(root.resolve("ko-app/hello"))).isEqualTo(new byte[50_000]);
    assertThat(Files.readString(root.resolve("ko-app/.hello.incoming"))).startsWith("xxx");
  }

  @Test
  void fileChangedSinceTheBuild_isRefusedBeforeTheLink() throws Exception {
    Artifact artifact = artifact("out", "v1".getBytes(StandardCharsets.UTF_8));
    Files.writeString(artifact.path(), "v2");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    assertThatThrownBy(() -> TarStreams.writeBinary(artifact, "/ko-app", out))
        .isInstanceOf(IOException.class).hasMessageContaining("changed while it was sent")
        .hasMessageContaining("nothing was delivered");
    assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1))
        .doesNotContain("ko-app/hello\0");
  }

  @Test
  void fileShorterOrLongerThanTheArtifactSays_isRefused() throws Exception {
    Artifact artifact = artifact("out", "12345".getBytes(StandardCharsets.UTF_8));
    Files.writeString(artifact.path(), "123");
    assertThatThrownBy(() -> stream(artifact))
        .isInstanceOf(IOException.class).hasMessageContaining("expected 5 bytes, it has 3");
    Files.writeString(artifact.path(), "1234567");
    assertThatThrownBy(() -> stream(artifact))
        .isInstanceOf(IOException.class).hasMessageContaining("it has more");
  }

  @Test
  void incomingPath_isAHiddenNameBesideTheBinary() {
    assertThat(TarStreams.incomingPath("/ko-app/hello")).isEqualTo("/ko-app/.hello.incoming");
    assertThat(TarStreams.incomingPath("/hello")).isEqualTo("/.hello.incoming");
    assertThatThrownBy(() -> TarStreams.incomingPath("ko-app/hello"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ko-app/hello'");
    assertThatThrownBy(() -> TarStreams.incomingPath("/ko-app/"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
