package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.BuildRequest;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library builds what ko builds: for one .ko.yaml with flags, an env entry and ldflags
 * templates ({@code .Env}, {@code .Git.ShortCommit}), the real ko CLI (scripts/install-ko) and
 * GoBuilder produce byte-identical binaries. ko needs its base image in a registry: an empty one
 * goes to the local cluster's.
 */
@ExtendWith(LocalCluster.class)
class KoParityIT {
  private static final String BASE = LocalCluster.REGISTRY + "/ko-parity-base:scratch";

  @TempDir Path dir;

  @Test
  void koAndGoBuilder_buildTheSameBinary_fromOneKoYaml() throws Exception {
    Path root = Files.createDirectories(dir.resolve("ws"));
    GoWorkspace.create(root, "parity");
    // ldflags' -X lands only in variables the program uses
    Files.writeString(root.resolve("cmd/server/version.go"), """
        package main

        import "os"

        var version, commit string

        func init() {
        \tif os.Getenv("PRINT_VERSION") != "" {
        \t\tprintln(version, commit)
        \t}
        }
        """);
    Files.writeString(root.resolve(".ko.yaml"), """
        builds:
        - id: server
          main: ./cmd/server
          env:
          - GOAMD64=v2
          flags:
          - -tags=parity
          ldflags:
          - -X main.version={{.Env.PARITY_VERSION}}
          - -X main.commit={{.Git.ShortCommit}}
        """);
    run(root, Map.of(), "git", "init", "-q");
    run(root, Map.of(), "git", "-c", "user.email=t@example.com", "-c", "user.name=t",
        "add", ".");
    run(root, Map.of(), "git", "-c", "user.email=t@example.com", "-c", "user.name=t",
        "commit", "-q", "-m", "parity");
    Jib.fromScratch().setCreationTime(Instant.EPOCH).containerize(
        Containerizer.to(RegistryImage.named(BASE)).setAllowInsecureRegistries(true));

    Path tarball = dir.resolve("ko.tar");
    run(root, Map.of("KO_DOCKER_REPO", LocalCluster.REGISTRY + "/ko-parity",
            "KO_DEFAULTBASEIMAGE", BASE, "PARITY_VERSION", "1.2.3"),
        koBinary().toString(), "build", "--bare", "--sbom=none", "--push=false",
        "--platform=linux/amd64", "--tarball=" + tarball, "./cmd/server");
    byte[] byKo = binaryIn(tarball, "ko-app/server")
        .orElseThrow(() -> new AssertionError("no ko-app/server in ko's image " + tarball));

    Artifact ours = GoBuilder.builder().debugInfo(true) // ko keeps the symbol table
        .cacheDirectory(dir.resolve("cache")).env("PARITY_VERSION", "1.2.3").build()
        .build(new BuildRequest(root, "./cmd/server", Platform.LINUX_AMD64));

    String koSum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(byKo));
    if (!koSum.equals(ours.sha256())) {
      Path koCopy = dir.resolve("ko-server");
      Files.write(koCopy, byKo);
      throw new AssertionError("ko and GoBuilder built different binaries.\nko:\n"
          + run(root, Map.of(), "go", "version", "-m", koCopy.toString())
          + "\nGoBuilder:\n" + run(root, Map.of(), "go", "version", "-m", ours.path().toString()));
    }
    assertThat(ours.sha256()).isEqualTo(koSum);
    // the settings took effect (-trimpath keeps ldflags out of the build info: ask the binary)
    assertThat(run(root, Map.of(), "go", "version", "-m", ours.path().toString()))
        .contains("-tags=parity").contains("GOAMD64=v2");
    String shortCommit = run(root, Map.of(), "git", "rev-parse", "--short", "HEAD").strip();
    assertThat(run(root, Map.of("PRINT_VERSION", "1"), ours.path().toString(), "sum"))
        .contains("1.2.3 " + shortCommit);
  }

  /** The file at this path in the image tarball's layers. */
  private static Optional<byte[]> binaryIn(Path tarball, String path) throws IOException {
    try (TarArchiveInputStream image = new TarArchiveInputStream(
        new BufferedInputStream(Files.newInputStream(tarball)))) {
      for (TarArchiveEntry entry = image.getNextEntry(); entry != null;
          entry = image.getNextEntry()) {
        if (!entry.isFile() || !entry.getName().contains("tar")) {
          continue;
        }
        byte[] layer = image.readAllBytes();
        InputStream in = new ByteArrayInputStream(layer);
        if (layer.length > 2 && layer[0] == (byte) 0x1f && layer[1] == (byte) 0x8b) {
          in = new GZIPInputStream(in);
        }
        try (TarArchiveInputStream files = new TarArchiveInputStream(in)) {
          for (TarArchiveEntry file = files.getNextEntry(); file != null;
              file = files.getNextEntry()) {
            if (file.getName().replaceFirst("^/", "").equals(path)) {
              return Optional.of(files.readAllBytes());
            }
          }
        } catch (IOException e) {
          // not a layer
        }
      }
    }
    return Optional.empty();
  }

  private static Path koBinary() throws IOException, InterruptedException {
    Process install = new ProcessBuilder(
        LocalCluster.repositoryRoot().resolve("scripts/install-ko").toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String path = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
        .strip();
    if (install.waitFor() != 0 || path.isEmpty() || !Files.isExecutable(Path.of(path))) {
      throw new IllegalStateException("the ko CLI is missing and scripts/install-ko could not "
          + "build it (see its output above)");
    }
    return Path.of(path);
  }

  private static String run(Path directory, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
    return output;
  }
}
