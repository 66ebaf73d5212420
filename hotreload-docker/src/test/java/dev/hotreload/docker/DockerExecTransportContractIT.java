package dev.hotreload.docker;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.contract.TransportContract;
import dev.hotreload.docker.testing.TestAppContainer;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * DockerExecTransport keeps the Transport contract against a container of the real engine; what
 * it runs is read from {@code agent status}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerExecTransportContractIT extends TransportContract {
  private final DockerExecTransport transport = new DockerExecTransport();
  private TestAppContainer app;
  private TargetHandle handle;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    app = TestAppContainer.start(dir);
    handle = DockerTarget.of(app.container()).followLogs(false)
        .open(new TargetRequest(Platform.linuxHost(), TargetEvents.NONE));
  }

  @AfterAll
  void stop() throws Exception {
    handle.close();
    app.close();
  }

  @Override
  protected Transport transport() {
    return transport;
  }

  @Override
  protected Destination destination() {
    return handle.destinations().get(0);
  }

  @Override
  protected Artifact artifact(int version) throws Exception {
    return app.build("v" + version);
  }

  @Override
  protected String runningSha256(Destination destination) throws Exception {
    return app.runningSha256();
  }
}
