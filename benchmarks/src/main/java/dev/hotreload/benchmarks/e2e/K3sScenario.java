package dev.hotreload.benchmarks.e2e;

import dev.hotreload.examples.BuildEnds;
import dev.hotreload.ReloadReport;
import dev.hotreload.examples.HelloApp;
import dev.hotreload.k3s.K3sDev;
import dev.hotreload.k3s.testing.K3sNodes;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import java.nio.file.Path;
import java.time.Duration;
import org.testcontainers.k3s.K3sContainer;

/**
 * {@code k3s}: the hello example deployed into a K3s cluster from Testcontainers' K3sContainer
 * (the node image scripts/k3s-node builds), as a K3s harness does; each edit goes through the
 * K3s API server's exec into the pod, behind Docker's port publishing.
 */
final class K3sScenario implements Scenario {
  private final Path workspace;
  private final K3sContainer k3s;
  private final BuildEnds builds = new BuildEnds();
  private final DevSession session;
  private final int port;
  private ReloadReport last;

  K3sScenario() throws Exception {
    workspace = HelloApp.copy();
    k3s = K3sNodes.container();
    k3s.start();
    try {
      session = K3sDev.on(k3s, KubernetesDev.forWorkspace(workspace)
              .manifests(workspace.resolve("k8s"))
              .listener(builds)
              .portForward("deployment/" + HelloApp.NAME, 0, HelloApp.PORT))
          .start();
      session.awaitReady(Duration.ofMinutes(3));
      port = session.localPort("deployment/" + HelloApp.NAME);
    } catch (Exception | Error e) {
      k3s.stop();
      throw e;
    }
  }

  @Override
  public void editAndAwait(String text) throws Exception {
    last = Scenario.editThroughSession(session, builds, workspace, () -> port, text,
        "k3s");
  }

  @Override
  public Figures lastFigures() {
    return Figures.of(last);
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      k3s.stop();
    }
  }
}
