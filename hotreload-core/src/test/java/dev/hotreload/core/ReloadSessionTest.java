package dev.hotreload.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.hotreload.BuildFailedException;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.SessionState;
import dev.hotreload.core.testing.FakeTarget;
import dev.hotreload.core.testing.FakeTransport;
import dev.hotreload.core.testing.FakeWatcher;
import dev.hotreload.core.testing.RecordingArtifactBuilder;
import dev.hotreload.core.testing.RecordingReloadListener;
import dev.hotreload.event.ReloadListener;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReloadSessionTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final List<String> SUCCESSFUL_RELOAD =
      List.of("reloadStart", "changesDetected", "buildStart", "buildEnd", "transferStart",
          "transferEnd", "restartStart", "restartEnd", "reloadEnd");

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private Path workspace;
  private RecordingArtifactBuilder builder;
  private final FakeWatcher watcher = new FakeWatcher();
  private final FakeTransport transport = new FakeTransport();
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
  void setUp() throws IOException {
    workspace = Files.createDirectories(fs.getPath("/work/app"));
    builder = new RecordingArtifactBuilder(Files.createDirectories(fs.getPath("/cache")));
  }

  @AfterEach
  void tearDown() throws IOException {
    if (session != null) {
      session.close();
    }
    fs.close();
  }

  private HotReload.Configurator configure(FakeTarget target) {
    return HotReload.forWorkspace(workspace)
        .mainPackage("./cmd/server")
        .platform("linux/amd64")
        .target(target)
        .builder(builder)
        .watcher(watcher)
        .transport(transport)
        .listener(listener)
        .debounce(Duration.ofMillis(30));
  }

  @Test
  void start_buildsAndDeliversOnce_withEveryPhaseInOrder() throws Exception {
    session = configure(new FakeTarget("pod-a")).start();

    ReloadReport initial = session.awaitReady(WAIT);

    assertThat(initial.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(initial.reload().trigger()).isEqualTo(Reload.Trigger.INITIAL);
    assertThat(initial.phases().keySet())
        .containsExactly(Phase.CHANGE_DETECTED, Phase.BUILD, Phase.TRANSFER, Phase.RESTART);
    assertThat(initial.bytesSent()).isEqualTo("build 1".length());
    assertThat(listener.eventsOf(1)).isEqualTo(SUCCESSFUL_RELOAD);
    assertThat(transport.running()).isEqualTo(Map.of("pod-a", "build 1"));
    assertThat(session.state()).isEqualTo(SessionState.WATCHING);
  }

  @Test
  void anEditOnlyUnderKodata_isDeliveredWithoutABuild_andWithGoEditsBeforeTheBinary()
      throws Exception {
    Path kodata = Files.createDirectories(workspace.resolve("cmd/server/kodata"));
    Files.writeString(kodata.resolve("banner.txt"), "hello");
    session = configure(new FakeTarget("pod-a")).start();
    session.awaitReady(WAIT);

    watcher.change("cmd/server/kodata/banner.txt");
    ReloadReport data = nextReload();

    assertThat(data.reload().trigger()).isEqualTo(Reload.Trigger.DATA_CHANGE);
    assertThat(data.succeeded()).as(data.failure().orElse("")).isTrue();
    assertThat(data.phases()).containsKeys(Phase.TRANSFER, Phase.RESTART)
        .doesNotContainKey(Phase.BUILD);
    assertThat(builder.builds()).containsExactly("#1 ok");
    assertThat(transport.dataDeliveries()).containsExactly("pod-a <- kodata restart=true");

    watcher.change("main.go", "cmd/server/kodata/banner.txt");
    ReloadReport both = nextReload();

    assertThat(both.reload().trigger()).isEqualTo(Reload.Trigger.FILE_CHANGE);
    assertThat(both.succeeded()).as(both.failure().orElse("")).isTrue();
    assertThat(builder.builds()).as("one build: the second").containsExactly("#1 ok", "#2 ok");
    // the data first, without a restart: the binary's restart reads it
    assertThat(transport.dataDeliveries()).containsExactly("pod-a <- kodata restart=true",
        "pod-a <- kodata restart=false");
  }

  @Test
  void editsWithinTheDebounceWindow_triggerExactlyOneReload() throws Exception {
    session = configure(new FakeTarget("pod-a")).start();
    session.awaitReady(WAIT);

    watcher.change("main.go");
    watcher.change("util.go");
    watcher.change("main.go");
    ReloadReport report = nextReload();

    assertThat(report.reload().trigger()).isEqualTo(Reload.Trigger.FILE_CHANGE);
    assertThat(report.changedFiles())
        .containsExactly(workspace.resolve("main.go"), workspace.resolve("util.go"));
    assertThat(listener.eventsOf(2)).isEqualTo(SUCCESSFUL_RELOAD);
    assertThatThrownBy(() -> session.awaitReloadAfter(seen, Duration.ofMillis(200)))
        .isInstanceOf(TimeoutException.class);
    assertThat(builder.builds()).containsExactly("#1 ok", "#2 ok");
  }

  @Test
  void failedBuild_keepsThePreviousBinary_andReportsDiagnostics() throws Exception {
    session = configure(new FakeTarget("pod-a")).start();
    session.awaitReady(WAIT);

    builder.failWith("undefined: greetin");
    watcher.change("main.go");
    ReloadReport failed = nextReload();

    assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(failed.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.file()).isEqualTo(workspace.resolve("main.go"));
      assertThat(d.line()).isEqualTo(3);
      assertThat(d.message()).isEqualTo("undefined: greetin");
    });
    assertThat(listener.eventsOf(2))
        .containsExactly("reloadStart", "changesDetected", "buildStart", "buildFailed",
            "reloadFailed");
    assertThat(transport.running()).isEqualTo(Map.of("pod-a", "build 1"));
    // The report is published by the reload's worker; the coordinator moves the state back a
    // moment later: a failed build leaves the session watching, not failed.
    waitUntil(() -> session.state() == SessionState.WATCHING);

    builder.failWith(null);
    watcher.change("main.go");
    assertThat(nextReload().succeeded()).isTrue();
    assertThat(transport.running()).isEqualTo(Map.of("pod-a", "build 3"));
  }

  @Test
  void changeDuringABuild_supersedesIt_andOnlyTheNewestIsDelivered() throws Exception {
    session = configure(new FakeTarget("pod-a")).start();
    session.awaitReady(WAIT);
    builder.block();

    watcher.change("a.go");
    builder.awaitBlocked();
    watcher.change("b.go");
    waitUntil(() -> builder.interrupted() == 1);
    builder.release();

    waitUntil(() -> session.history().stream().anyMatch(r -> r.reload().sequence() == 3));
    List<ReloadReport> history = session.history();
    assertThat(history).extracting(ReloadReport::outcome)
        .containsExactly(Outcome.SUCCEEDED, Outcome.SUPERSEDED, Outcome.SUCCEEDED);
    assertThat(history.get(2).changedFiles())
        .containsExactly(workspace.resolve("a.go"), workspace.resolve("b.go"));
    assertThat(listener.eventsOf(2))
        .containsExactly("reloadStart", "changesDetected", "buildStart", "buildFailed",
            "reloadFailed");
    assertThat(transport.deliveries()).containsExactly("pod-a <- build 1", "pod-a <- build 3");
  }

  @Test
  void newDestination_getsTheCurrentBinaryWithoutARebuild() throws Exception {
    FakeTarget target = new FakeTarget("pod-a");
    session = configure(target).start();
    session.awaitReady(WAIT);

    target.add("pod-b");
    ReloadReport report = nextReload();

    assertThat(report.reload().trigger()).isEqualTo(Reload.Trigger.TARGET_CHANGED);
    assertThat(report.deliveries()).extracting(ReloadReport.Delivery::destination)
        .containsExactly("pod-b");
    assertThat(listener.eventsOf(2))
        .containsExactly("reloadStart", "changesDetected", "transferStart", "transferEnd",
            "restartStart", "restartEnd", "reloadEnd");
    assertThat(builder.builds()).hasSize(1);
    assertThat(transport.running()).isEqualTo(Map.of("pod-a", "build 1", "pod-b", "build 1"));
  }

  @Test
  void destinationThatFailsToConnect_failsTheReload_thenGetsTheBinaryByRetry() throws Exception {
    session = configure(new FakeTarget("pod-a", "pod-b")).start();
    session.awaitReady(WAIT);
    transport.refuse("pod-b");

    watcher.change("main.go");
    ReloadReport report = nextReload();

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.failure()).hasValueSatisfying(f ->
        assertThat(f).contains("pod-b").contains("connection refused").contains("previous binary"));
    assertThat(listener.eventsOf(2)).endsWith("transferStart", "transferFailed", "reloadFailed");
    assertThat(transport.running()).containsEntry("pod-a", "build 2").containsEntry("pod-b", "build 1");

    transport.accept("pod-b"); // the connection is back: no edit needed for pod-b to converge
    waitUntil(() -> "build 2".equals(transport.running().get("pod-b")));
    assertThat(builder.builds()).as("a retry sends the build it missed, without rebuilding")
        .hasSize(2);
  }

  @Test
  void podGoneAfterItsBytes_doesNotHoldBackThePeersRetry() throws Exception {
    session = configure(new FakeTarget("pod-a", "pod-b", "pod-c")).start();
    session.awaitReady(WAIT);
    transport.refuse("pod-b"); // a broken connection: retried
    transport.crashOnRestart("pod-c"); // as a pod deleted once its bytes were out: final

    watcher.change("main.go");
    assertThat(nextReload().outcome()).isEqualTo(Outcome.FAILED);
    assertThat(transport.running()).containsEntry("pod-a", "build 2");

    transport.accept("pod-b");
    waitUntil(() -> "build 2".equals(transport.running().get("pod-b")));
    assertThat(transport.running()).as("pod-a runs build 2, so its peer's retry brings build 2")
        .containsEntry("pod-b", "build 2");
  }

  @Test
  void firstDeliveryThatFailsToConnect_isRetried_andTheSessionIsReadyWhenItGetsThrough()
      throws Exception {
    transport.refuse("pod-a");
    session = configure(new FakeTarget("pod-a")).start();
    waitUntil(() -> !session.history().isEmpty()); // the first attempt failed
    transport.accept("pod-a");

    ReloadReport ready = session.awaitReady(WAIT);

    assertThat(ready.succeeded()).isTrue();
    assertThat(transport.running()).containsEntry("pod-a", "build 1");
  }

  @Test
  void destinationThatAppearsWhileABuildFails_getsTheNewestGoodBinary() throws Exception {
    FakeTarget target = new FakeTarget("pod-a");
    session = configure(target).start();
    session.awaitReady(WAIT);
    builder.block();
    watcher.change("main.go");
    builder.awaitBlocked();

    target.add("pod-new");
    builder.failWith("undefined: greetin");
    watcher.change("main.go"); // supersedes the blocked build: the next one fails
    builder.release(); // whichever build gets a permit fails; builds block until released
    builder.release();

    waitUntil(() -> "build 1".equals(transport.running().get("pod-new")));
    assertThat(transport.running()).containsEntry("pod-a", "build 1");
  }

  @Test
  void buildThatCrashesOnRestart_isNotWhatNewDestinationsGet() throws Exception {
    FakeTarget target = new FakeTarget("pod-a");
    session = configure(target).start();
    session.awaitReady(WAIT);
    transport.crashOnRestart("pod-a");
    watcher.change("main.go");
    assertThat(nextReload().outcome()).isEqualTo(Outcome.FAILED);

    target.add("pod-new");

    waitUntil(() -> transport.running().containsKey("pod-new"));
    assertThat(transport.running()).as("the newest binary that ran: build 1, not the crashing 2")
        .containsEntry("pod-new", "build 1");
  }

  @Test
  void destinationOnAnotherArchitecture_isRefusedBeforeSending() throws Exception {
    FakeTarget target = new FakeTarget("pod-a");
    session = configure(target).start();
    session.awaitReady(WAIT);

    target.add(new FakeTarget.Named("pod-arm") {
      @Override
      public java.util.Optional<dev.hotreload.Platform> platform() {
        return java.util.Optional.of(dev.hotreload.Platform.LINUX_ARM64);
      }
    });
    ReloadReport report = nextReload();

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.failure()).hasValueSatisfying(f -> assertThat(f)
        .contains("Built linux/amd64, but pod-arm runs on linux/arm64")
        .contains("set .platform(\"linux/arm64\")"));
    assertThat(transport.deliveries()).containsExactly("pod-a <- build 1");
  }

  @Test
  void restartFailure_isReportedAsRestartFailed() throws Exception {
    session = configure(new FakeTarget("pod-a")).start();
    session.awaitReady(WAIT);
    transport.crashOnRestart("pod-a");

    watcher.change("main.go");
    ReloadReport report = nextReload();

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(listener.eventsOf(2))
        .endsWith("transferStart", "transferEnd", "restartStart", "restartFailed", "reloadFailed");
  }

  @Test
  void readinessThatNeverPasses_isReportedAsReadyFailed() throws Exception {
    session = configure(new FakeTarget("pod-a"))
        .readiness((destination, timeout) -> {
          throw new TimeoutException("never");
        })
        .start();

    assertThatThrownBy(() -> session.awaitReady(WAIT))
        .isInstanceOf(dev.hotreload.RestartFailedException.class)
        .hasMessageContaining("pod-a")
        .hasMessageContaining("not ready");
    assertThat(listener.eventsOf(1)).endsWith("restartEnd", "readyStart", "readyFailed",
        "reloadFailed");
  }

  @Test
  void listenerThatThrows_doesNotBreakReloads() throws Exception {
    ReloadListener broken = new ReloadListener() {
      @Override
      public void buildStart(Reload reload) {
        throw new IllegalStateException("listener bug");
      }
    };
    session = configure(new FakeTarget("pod-a"))
        .listener(ReloadListener.compose(broken, listener))
        .start();

    assertThat(session.awaitReady(WAIT).succeeded()).isTrue();
    assertThat(listener.eventsOf(1)).isEqualTo(SUCCESSFUL_RELOAD);
  }

  @Test
  void reloadNow_rebuildsWithoutChanges() throws Exception {
    session = configure(new FakeTarget("pod-a")).start();
    session.awaitReady(WAIT);

    ReloadReport report = session.reloadNow().get(10, TimeUnit.SECONDS);

    assertThat(report.reload().trigger()).isEqualTo(Reload.Trigger.MANUAL);
    assertThat(report.succeeded()).isTrue();
    assertThat(transport.running()).isEqualTo(Map.of("pod-a", "build 2"));
  }

  @Test
  void listenerFactory_getsOneListenerPerReload() throws Exception {
    List<Long> created = new java.util.concurrent.CopyOnWriteArrayList<>();
    session = configure(new FakeTarget("pod-a"))
        .listenerFactory(reload -> {
          created.add(reload.sequence());
          return ReloadListener.NONE;
        })
        .start();
    session.awaitReady(WAIT);
    session.reloadNow().get(10, TimeUnit.SECONDS);

    assertThat(created).containsExactly(1L, 2L);
  }

  @Test
  void close_isIdempotent_andReleasesWatcherAndTarget() throws Exception {
    FakeTarget target = new FakeTarget("pod-a");
    session = configure(target).start();
    session.awaitReady(WAIT);

    session.close();
    session.close();

    assertThat(session.state()).isEqualTo(SessionState.CLOSED);
    assertThat(watcher.closed()).isTrue();
    assertThat(target.closed()).isTrue();
    assertThat(session.reloadNow()).isCompletedExceptionally();
  }

  @Test
  void close_duringABuild_cancelsIt() throws Exception {
    session = configure(new FakeTarget("pod-a")).start();
    session.awaitReady(WAIT);
    builder.block();
    watcher.change("main.go");
    builder.awaitBlocked();

    session.close();

    assertThat(session.history()).last().extracting(ReloadReport::outcome)
        .isEqualTo(Outcome.CANCELLED);
    assertThat(builder.interrupted()).isEqualTo(1);
  }

  @Test
  void failedInitialBuild_awaitReadyThrowsButTheSessionKeepsWatching() throws Exception {
    builder.failWith("syntax error");
    session = configure(new FakeTarget("pod-a")).start();

    assertThatThrownBy(() -> session.awaitReady(WAIT))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("syntax error");
    assertThat(session.state()).isEqualTo(SessionState.WATCHING);

    builder.failWith(null);
    watcher.change("main.go");
    assertThat(nextReload().succeeded()).isTrue();
    assertThat(transport.running()).isEqualTo(Map.of("pod-a", "build 2"));
  }

  @Test
  void build_reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> HotReload.forWorkspace(fs.getPath("/missing"))
            .mainPackage(" ")
            .target(new FakeTarget())
            .debounce(Duration.ofMillis(-1))
            .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workspace /missing is not a directory")
        .hasMessageContaining("mainPackage ' ' is empty")
        .hasMessageContaining("debounce PT-0.001S must be zero or more");
  }

  @Test
  void build_withoutTarget_namesTheFix() {
    assertThatThrownBy(() -> HotReload.forWorkspace(workspace).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("target is not set");
  }

  @Test
  void platformString_thatDoesNotParse_isQuoted() {
    assertThatThrownBy(() -> HotReload.forWorkspace(workspace).platform("linux-arm64"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'linux-arm64'");
  }

  @Test
  void toBuilder_derivesAChangedCopy() {
    HotReloadSpec spec = configure(new FakeTarget("pod-a")).build();

    HotReloadSpec derived = spec.toBuilder().platform("linux/arm64").build();

    assertThat(derived.platform()).hasToString("linux/arm64");
    assertThat(spec.platform()).hasToString("linux/amd64");
    assertThat(derived.mainPackage()).isEqualTo("./cmd/server");
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      Thread.sleep(5);
    }
  }
}
