package dev.hotreload.core.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.BuildFailedException;
import dev.hotreload.Phase;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.RecordingReloadListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop with the real Go toolchain and a real child process: edit, rebuild, restart,
 * answer. Needs {@code go} on PATH.
 */
class LocalProcessReloadTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;
  @TempDir Path cache;
  private GoWorkspace workspace;
  private int port;
  private final RecordingReloadListener listener = new RecordingReloadListener();
  private Session session;
  private long seen = 1; // the initial reload is #1

  /** The next reload after the last one this test looked at; cannot miss a fast one. */
  private ReloadReport nextReload() throws Exception {
    ReloadReport report = session.awaitReloadAfter(seen, WAIT);
    seen = report.reload().sequence();
    return report;
  }

  @BeforeEach
  void setUp() throws Exception {
    workspace = GoWorkspace.create(dir, "hello v1");
    port = GoWorkspace.freePort();
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
  }

  private Session start() {
    return HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .target(LocalProcessTarget.create().env("PORT", String.valueOf(port))
            .stopTimeout(Duration.ofSeconds(2)))
        .readiness(Readiness.httpGet(port, "/"))
        .builder(GoBuilder.builder().cacheDirectory(cache).build())
        .listener(listener)
        .start();
  }

  @Test
  void edit_changesTheAnswer_compileErrorKeepsTheOldProcess_floodServesTheLastEdit()
      throws Exception {
    session = start();
    ReloadReport initial = session.awaitReady(WAIT);
    assertThat(workspace.get(port)).isEqualTo("hello v1");
    assertThat(initial.artifact()).hasValueSatisfying(a ->
        assertThat(a.path()).isEqualTo(cache.resolve(
            "bin/" + GoWorkspace.MODULE + "/cmd/server/linux/" + a.platform().architecture()
                + "/out")));
    assertThat(listener.output()).anyMatch(line -> line.equals("listening on " + port));

    // 1. An edit changes the answer, and every phase is reported.
    workspace.greeting("hello v2");
    ReloadReport edited = nextReload();
    assertThat(edited.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(edited.changedFiles()).containsExactly(workspace.greetingFile());
    assertThat(edited.phases().keySet()).containsExactly(Phase.values());
    assertThat(workspace.get(port)).isEqualTo("hello v2");

    // 2. A compile error is reported with file:line, and the old process keeps answering.
    workspace.breakBuild();
    ReloadReport broken = nextReload();
    assertThat(broken.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(broken.diagnostics()).anySatisfy(d -> {
      assertThat(d.file()).isEqualTo(workspace.greetingFile().toRealPath());
      assertThat(d.line()).isEqualTo(4);
      assertThat(d.message()).contains("undefined: greetin");
    });
    assertThat(workspace.get(port)).isEqualTo("hello v2");

    // 3. A flood of 20 edits in 200 ms: exactly the last text ends up served.
    long before = session.history().size();
    for (int i = 1; i <= 20; i++) {
      workspace.greeting("flood " + i);
      Thread.sleep(10);
    }
    awaitAnswer("flood 20");
    Thread.sleep(500); // nothing older may arrive after the newest
    assertThat(workspace.get(port)).isEqualTo("flood 20");
    List<ReloadReport> flood = session.history().subList((int) before, session.history().size());
    assertThat(flood).last().extracting(ReloadReport::outcome).isEqualTo(Outcome.SUCCEEDED);
    assertThat(flood.stream().filter(ReloadReport::succeeded).count())
        .as("edits were coalesced").isLessThan(20);
  }

  @Test
  void mainPackageThatIsNotMain_failsBeforeWatching() {
    assertThatThrownBy(() -> HotReload.forWorkspace(workspace.root())
            .mainPackage("./internal/greet")
            .target(LocalProcessTarget.create())
            .start())
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("'./internal/greet' is package greet, not main");
  }

  @Test
  void missingMainPackage_failsBeforeWatching_withTheFix() {
    assertThatThrownBy(() -> HotReload.forWorkspace(workspace.root())
            .mainPackage("./cmd/nope")
            .target(LocalProcessTarget.create())
            .start())
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("Main package './cmd/nope' could not be loaded")
        .hasMessageContaining("Set mainPackage to a directory with package main");
  }

  private void awaitAnswer(String expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!expected.equals(workspace.get(port))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never answered '" + expected + "'; last: " + workspace.get(port)
            + "; history: " + session.history());
      }
      Thread.sleep(20);
    }
  }
}
