package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The template fields ko documents, against a real git repository. */
class KoTemplatesTest {
  @TempDir Path repo;

  @Test
  void envDateAndTimestamp() {
    KoTemplates templates = new KoTemplates(Map.of("VERSION", "1.2"), repo,
        Instant.parse("2026-12-01T10:15:30.250Z"), name -> name.equals("GOOS") ? "linux" : "");

    assertThat(templates.expand("-X main.v={{.Env.VERSION}} -X main.d={{ .Date }}"
        + " -X main.t={{.Timestamp}} -X main.os={{.GoEnv.GOOS}}"))
        .isEqualTo("-X main.v=1.2 -X main.d=2026-12-01T10:15:30Z -X main.t=1796120130"
            + " -X main.os=linux");
  }

  @Test
  void gitFields_comeFromTheRepository() throws Exception {
    git("init", "-q", "-b", "main");
    Files.writeString(repo.resolve("a.txt"), "a");
    git("add", "a.txt");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one",
        "--date", "2026-01-02T03:04:05Z");
    git("tag", "v1.0.0");
    String full = git("rev-parse", "HEAD");
    KoTemplates templates = new KoTemplates(Map.of(), repo, Instant.EPOCH, name -> "");

    assertThat(templates.expand("{{.Git.FullCommit}} {{.Git.ShortCommit}} {{.Git.Branch}} "
        + "{{.Git.Tag}} {{.Git.TreeState}} {{.Git.IsClean}}"))
        .isEqualTo(full + " " + full.substring(0, 7) + " main v1.0.0 clean true");
    Files.writeString(repo.resolve("a.txt"), "changed");
    assertThat(new KoTemplates(Map.of(), repo, Instant.EPOCH, name -> "")
        .expand("{{.Git.IsDirty}} {{.Git.TreeState}}")).isEqualTo("true dirty");
  }

  @Test
  void outsideARepository_gitFieldsAreEmpty_unknownFieldsAreErrors() {
    KoTemplates templates = new KoTemplates(Map.of(), repo, Instant.EPOCH, name -> "");

    assertThat(templates.expand(List.of("-X main.c={{.Git.ShortCommit}}")))
        .containsExactly("-X main.c=");
    assertThatThrownBy(() -> templates.expand("{{.Version}}"))
        .hasMessageContaining("{{.Version}}");
    assertThatThrownBy(() -> templates.expand("{{.Git.Author}}"))
        .hasMessageContaining("{{.Git.Author}}");
  }

  private String git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes()).strip();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
