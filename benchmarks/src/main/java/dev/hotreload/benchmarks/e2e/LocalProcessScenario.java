package dev.hotreload.benchmarks.e2e;

import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.local.LocalProcessTarget;
import dev.hotreload.examples.HelloApp;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code local-process}: the no-cluster floor, build plus a local restart. */
final class LocalProcessScenario implements Scenario {
  private final Path workspace;
  private final int port;
  private final Session session;
  private ReloadReport last;

  LocalProcessScenario() throws Exception {
    workspace = HelloApp.copy();
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    session = HotReload.forWorkspace(workspace)
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
    long seen = session.lastSequence();
    HelloApp.setGreeting(workspace, text);
    Poll.until(() -> port, text, "local-process");
    last = session.awaitReloadAfter(seen, Duration.ofMinutes(1));
  }

  @Override
  public Figures lastFigures() {
    Map<String, Double> phases = new LinkedHashMap<>();
    last.phases().forEach((phase, d) -> phases.put(phase.name(), d.toNanos() / 1e6));
    return new Figures(phases, last.bytesSent(), last.bytesRaw());
  }

  @Override
  public void close() {
    session.close();
  }
}
