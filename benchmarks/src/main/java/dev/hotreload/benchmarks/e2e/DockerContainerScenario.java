package dev.hotreload.benchmarks.e2e;

import dev.hotreload.examples.BuildEnds;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.docker.DockerDevImage;
import dev.hotreload.docker.DockerTarget;
import dev.hotreload.examples.HelloApp;
import java.nio.file.Path;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@code docker-container}: the hello example in a container of the local Docker engine
 * (scripts/docker), started from its dev image as a Testcontainers harness does; each edit goes
 * through Docker's exec API.
 */
final class DockerContainerScenario implements Scenario {
  private final Path workspace;
  private final GenericContainer<?> container;
  private final BuildEnds builds = new BuildEnds();
  private final Session session;
  private final int port;
  private ReloadReport last;

  DockerContainerScenario() throws Exception {
    workspace = HelloApp.copy();
    DockerDevImage image = DockerDevImage.forWorkspace(workspace)
        .mainPackage(HelloApp.MAIN_PACKAGE).build();
    container = new GenericContainer<>(DockerImageName.parse(image.reference()))
        .withExposedPorts(HelloApp.PORT);
    container.start();
    port = container.getMappedPort(HelloApp.PORT);
    session = HotReload.forWorkspace(workspace)
          .listener(builds)
        .mainPackage(HelloApp.MAIN_PACKAGE)
        .target(DockerTarget.of(container).followLogs(false))
        .readiness(Readiness.httpGet(HelloApp.PORT, "/healthz"))
        .start();
    session.awaitReady(Duration.ofMinutes(3));
  }

  @Override
  public void editAndAwait(String text) throws Exception {
    last = Scenario.editThroughSession(session, builds, workspace, () -> port, text,
        "docker-container");
  }

  @Override
  public Figures lastFigures() {
    return Figures.of(last);
  }

  @Override
  public void close() {
    session.close();
    container.stop();
  }
}
