package dev.hotreload.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Artifact;
import dev.hotreload.BuildFailedException;
import dev.hotreload.Platform;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.BuildRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** What every {@link ArtifactBuilder} promises; each implementation's test extends this. */
public abstract class ArtifactBuilderContract {

  /** The builder under test. */
  protected abstract ArtifactBuilder builder();

  /** A workspace whose main package builds. */
  protected abstract Path buildableWorkspace() throws Exception;

  /** Makes the workspace fail to compile. */
  protected abstract void breakWorkspace(Path workspace) throws Exception;

  /** The main package in the workspace. */
  protected String mainPackage() {
    return "./cmd/server";
  }

  @Test
  void build_returnsAFileWhoseSizeAndChecksumMatchTheArtifact() throws Exception {
    Path workspace = buildableWorkspace();

    Artifact artifact =
        builder().build(new BuildRequest(workspace, mainPackage(), Platform.LINUX_AMD64));

    byte[] bytes = Files.readAllBytes(artifact.path());
    assertThat(artifact.size()).isEqualTo(bytes.length);
    assertThat(artifact.sha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    assertThat(artifact.platform()).isEqualTo(Platform.LINUX_AMD64);
  }

  @Test
  void build_ofBrokenCode_throwsBuildFailedWithDiagnostics() throws Exception {
    Path workspace = buildableWorkspace();
    breakWorkspace(workspace);

    assertThatThrownBy(() ->
            builder().build(new BuildRequest(workspace, mainPackage(), Platform.LINUX_AMD64)))
        .isInstanceOfSatisfying(BuildFailedException.class,
            e -> assertThat(e.getDiagnostics()).isNotEmpty());
  }
}
