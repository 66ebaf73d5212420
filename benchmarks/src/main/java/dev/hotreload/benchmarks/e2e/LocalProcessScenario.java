package dev.hotreload.benchmarks.e2e;

import dev.hotreload.examples.BuildEnds;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.local.LocalProcessTarget;
import dev.hotreload.examples.HelloApp;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

/** {@code local-process}: the no-cluster floor, build plus a local restart. */
final class LocalProcessScenario implements Scenario {
  private final Path workspace;
  private final int port;
  private final BuildEnds builds = new BuildEnds();
  private final Session session;
  private ReloadReport last;

  LocalProcessScenario() throws Exception {
    workspace = HelloApp.copy();
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    session = HotReload.forWorkspace(workspace)
          .listener(builds)
        .mainPackage(HelloApp.MAIN_PACKAGE)
        .target(LocalProcessTarget.create()
            .env("PORT", String.valueOf(port))
            .env("KO_DATA_PATH", workspace.resolve("kodata").toString()))
        .readiness(Readiness.httpGet(port, "/healthz"))
        .start();
    session.awaitReady(Duration.ofMinutes(3));
  }

  @Override
  public void editAndAwait(String text) throws Exception {
    last = Scenario.editThroughSession(session, builds, workspace, () -> port, text,
        "local-process");
  }

  @Override
  public Figures lastFigures() {
    return Figures.of(last);
  }

  @Override
  public void close() {
    session.close();
  }
}
