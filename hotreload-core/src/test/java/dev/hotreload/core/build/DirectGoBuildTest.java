package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Artifact;
import dev.hotreload.BuildFailedException;
import dev.hotreload.Platform;
import dev.hotreload.core.testing.BuildIdNotes;
import dev.hotreload.core.testing.GoHttpbin;
import dev.hotreload.core.testing.GoServiceWorkspace;
import dev.hotreload.spi.BuildRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct builder against its oracle: after every edit, the binary it builds with {@code go
 * tool compile} and {@code go tool link} equals the one {@code go build} makes from the same
 * sources with the same flags, except the build-ID notes; and it takes the direct path exactly
 * for the edits it understands.
 */
class DirectGoBuildTest {
  private static final String MAIN = GoServiceWorkspace.MODULE + "/cmd/server";
  private static final String API = GoServiceWorkspace.MODULE + "/internal/api";
  private static final String STORE = GoServiceWorkspace.MODULE + "/internal/store";
  private static final String TEXT = GoServiceWorkspace.MODULE + "/internal/text";

  @TempDir Path temp;
  private GoServiceWorkspace workspace;
  private GoBuilder direct;
  private GoBuilder goBuild;
  private BuildRequest request;

  @BeforeEach
  void firstBuild() throws IOException {
    workspace = GoServiceWorkspace.create(Files.createDirectories(temp.resolve("service")));
    direct = GoBuilder.builder().cacheDirectory(temp.resolve("direct")).build();
    goBuild = GoBuilder.builder().direct(false).cacheDirectory(temp.resolve("go-build")).build();
    request = new BuildRequest(workspace.root(), GoServiceWorkspace.MAIN_PACKAGE,
        Platform.linuxHost());
    direct.build(request);
    assertThat(direct.lastBuild().orElseThrow().direct())
        .as("the first build learns from go build").isFalse();
    direct.build(request); // waits for the learning, then links once from what it learned
    assertThat(direct.lastBuild().orElseThrow().direct()).as("learned").isTrue();
  }

  @Test
  void mainPackageEdit_compilesOnlyTheMainPackage() throws IOException {
    String greeting = workspace.editMain();
    Artifact binary = direct.build(request);
    assertDirect(MAIN);
    assertContains(binary, greeting);
    assertSameAsGoBuild(binary);
  }

  @Test
  void leafBodyEdit_leavesItsImportersAlone_whenExportDataIsUnchanged() throws IOException {
    String suffix = workspace.editLeafBody();
    Artifact binary = direct.build(request);
    assertDirect(TEXT);
    assertContains(binary, suffix);
    assertSameAsGoBuild(binary);
  }

  @Test
  void inlinableBodyEdit_recompilesEveryImporter() throws IOException {
    String marker = workspace.editInlinableBody();
    Artifact binary = direct.build(request);
    assertDirect(TEXT, STORE, API, MAIN);
    assertContains(binary, marker);
    assertSameAsGoBuild(binary);
  }

  @Test
  void newExportedFunction_recompilesImporters() throws IOException {
    workspace.addExportedFunc();
    Artifact binary = direct.build(request);
    assertDirect(TEXT, STORE, API, MAIN);
    assertSameAsGoBuild(binary);
  }

  @Test
  void changedSignature_acrossTwoPackages() throws IOException {
    workspace.changeSignature();
    Artifact binary = direct.build(request);
    assertThat(direct.lastBuild().orElseThrow().direct()).isTrue();
    assertThat(direct.lastBuild().orElseThrow().compiled()).startsWith(STORE, API);
    assertSameAsGoBuild(binary);
  }

  @Test
  void embeddedFileEdit_recompilesTheEmbeddingPackage() throws IOException {
    String banner = workspace.editEmbedded();
    Artifact binary = direct.build(request);
    assertDirect(API);
    assertContains(binary, banner);
    assertSameAsGoBuild(binary);
  }

  @Test
  void addedFile_fallsBackToGoBuild_thenBuildsDirectlyAgain() throws IOException {
    workspace.addFile();
    Artifact binary = direct.build(request);
    assertFallback("extra.go");
    assertSameAsGoBuild(binary);

    String greeting = workspace.editMain();
    binary = direct.build(request);
    assertDirect(MAIN);
    assertContains(binary, greeting);
    assertSameAsGoBuild(binary);
  }

  @Test
  void addedImport_fallsBackToGoBuild_thenBuildsDirectlyAgain() throws IOException {
    workspace.addImport();
    Artifact binary = direct.build(request);
    assertFallback("imports");
    assertSameAsGoBuild(binary);

    workspace.editMain();
    binary = direct.build(request);
    assertDirect(MAIN);
    assertSameAsGoBuild(binary);
  }

  @Test
  void goModEdit_fallsBackToGoBuild() throws IOException {
    workspace.editGoMod();
    Artifact binary = direct.build(request);
    assertFallback("go.mod changed");
    assertSameAsGoBuild(binary);
  }

  @Test
  void compileError_reportsWhatGoBuildReports_andTheFixBuildsDirectly() throws IOException {
    workspace.breakStore();
    Throwable directError = catchBuild(direct);
    Throwable goBuildError = catchBuild(goBuild);
    assertThat(directError).isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("undefined: undefinedName");
    assertThat(directError.getMessage()).isEqualTo(goBuildError.getMessage());
    assertThat(((BuildFailedException) directError).getDiagnostics())
        .isEqualTo(((BuildFailedException) goBuildError).getDiagnostics());

    workspace.fixStore();
    Artifact binary = direct.build(request);
    assertThat(direct.lastBuild().orElseThrow().direct()).isTrue();
    assertThat(direct.lastBuild().orElseThrow().compiled()).startsWith(STORE);
    assertSameAsGoBuild(binary);
  }

  @Test
  void nothingChanged_returnsTheSameBinaryWithoutCompiling() throws IOException {
    Artifact first = direct.build(request);
    Artifact again = direct.build(request);
    assertThat(direct.lastBuild().orElseThrow().direct()).isTrue();
    assertThat(direct.lastBuild().orElseThrow().compiled()).isEmpty();
    assertThat(again.sha256()).isEqualTo(first.sha256());
  }

  @Test
  void crossCompiledForArm64_matchesGoBuild() throws IOException {
    request = new BuildRequest(workspace.root(), GoServiceWorkspace.MAIN_PACKAGE,
        Platform.parse("linux/arm64"));
    direct.build(request);
    direct.build(request);
    String greeting = workspace.editMain();
    Artifact binary = direct.build(request);
    assertDirect(MAIN);
    assertContains(binary, greeting);
    assertSameAsGoBuild(binary);
  }

  @Test
  void versionStampedBinary_buildsDirectlyOnceModified_andFallsBackOnCommit() throws Exception {
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "first");
    direct = GoBuilder.builder().cacheDirectory(temp.resolve("direct-vcs"))
        .env("GOFLAGS", "-buildvcs=true").build();
    goBuild = GoBuilder.builder().direct(false).cacheDirectory(temp.resolve("go-build-vcs"))
        .env("GOFLAGS", "-buildvcs=true").build();
    direct.build(request);
    direct.build(request);
    assertFallback("unmodified checkout");

    workspace.editMain();
    // the stamp turns to modified=true: go build, or direct if the learning after the last go
    // build already saw the edit
    Artifact binary = direct.build(request);
    assertContains(binary, "vcs.modified=true");
    assertSameAsGoBuild(binary);

    String greeting = workspace.editMain();
    binary = direct.build(request);
    assertDirect(MAIN);
    assertContains(binary, greeting);
    assertSameAsGoBuild(binary);

    git("commit", "-qam", "second");
    workspace.editMain();
    binary = direct.build(request);
    assertFallback(".git");
    assertSameAsGoBuild(binary);
  }

  private void git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-c", "user.email=dev@example.com",
        "-c", "user.name=dev"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(workspace.root().toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("git %s: %s", List.of(args), output).isZero();
  }

  @Test
  void thirdPartyService_goHttpbin_everyEditMatchesGoBuild() throws IOException {
    GoHttpbin httpbin = GoHttpbin.copy(Files.createDirectories(temp.resolve("httpbin")));
    request = new BuildRequest(httpbin.root(), GoHttpbin.MAIN_PACKAGE, Platform.linuxHost());
    direct.build(request);
    direct.build(request);
    String module = "github.com/mccutchen/go-httpbin/v2";

    httpbin.editMain(1);
    Artifact binary = direct.build(request);
    assertDirect(module + "/cmd/go-httpbin");
    assertContains(binary, "dev-1");
    assertSameAsGoBuild(binary);

    httpbin.editHandlers(2);
    binary = direct.build(request);
    assertThat(direct.lastBuild().orElseThrow().direct()).isTrue();
    assertThat(direct.lastBuild().orElseThrow().compiled()).startsWith(module + "/httpbin");
    assertContains(binary, "report-to edit-2");
    assertSameAsGoBuild(binary);

    httpbin.editDigest(3);
    binary = direct.build(request);
    assertThat(direct.lastBuild().orElseThrow().direct()).isTrue();
    assertThat(direct.lastBuild().orElseThrow().compiled())
        .startsWith(module + "/httpbin/digest");
    assertContains(binary, "edit=3");
    assertSameAsGoBuild(binary);
  }

  @Test
  void directOff_alwaysRunsGoBuild() throws IOException {
    goBuild.build(request);
    workspace.editMain();
    goBuild.build(request);
    assertThat(goBuild.lastBuild().orElseThrow().direct()).isFalse();
    assertThat(goBuild.lastBuild().orElseThrow().reason()).contains("off");
  }

  private Throwable catchBuild(GoBuilder builder) {
    try {
      builder.build(request);
    } catch (IOException | RuntimeException e) {
      return e;
    }
    throw new AssertionError("the build of the broken store succeeded");
  }

  private void assertDirect(String... compiled) {
    GoBuilder.LastBuild last = direct.lastBuild().orElseThrow();
    assertThat(last.direct()).as("direct build; reason: %s", last.reason()).isTrue();
    assertThat(last.compiled()).containsExactly(compiled);
  }

  private void assertFallback(String reasonPart) {
    GoBuilder.LastBuild last = direct.lastBuild().orElseThrow();
    assertThat(last.direct()).isFalse();
    assertThat(last.reason()).contains(reasonPart);
  }

  private static void assertContains(Artifact binary, String text) throws IOException {
    byte[] bytes = Files.readAllBytes(binary.path());
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    boolean found = false;
    for (int i = 0; i + needle.length <= bytes.length && !found; i++) {
      found = Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length);
    }
    assertThat(found).as("%s contains %s", binary.path(), text).isTrue();
  }

  /** The oracle: go build of the same sources, equal except the build-ID notes. */
  private void assertSameAsGoBuild(Artifact binary) throws IOException {
    Artifact reference = goBuild.build(request);
    assertThat(reference.size()).as("size").isEqualTo(binary.size());
    byte[] expected = BuildIdNotes.zeroed(reference.path());
    byte[] actual = BuildIdNotes.zeroed(binary.path());
    int firstDifference = Arrays.mismatch(expected, actual);
    assertThat(firstDifference)
        .as("first byte where %s differs from go build's %s (build IDs zeroed)", binary.path(),
            reference.path())
        .isEqualTo(-1);
    if (direct.lastBuild().orElseThrow().direct()) {
      assertThat(binary.sha256()).as("a direct build carries its own build ID")
          .isNotEqualTo(reference.sha256());
    }
  }
}
