package dev.hotreload.docker;

import dev.hotreload.core.contract.TargetContract;
import dev.hotreload.docker.testing.TestAppContainer;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.Transport;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** DockerTarget keeps the Target contract on the real engine; a restart is a new destination. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerTargetContractIT extends TargetContract {
  private TestAppContainer app;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    app = TestAppContainer.start(dir);
  }

  @AfterAll
  void stop() {
    app.close();
  }

  @Override
  protected Target target() {
    return DockerTarget.of(app.container()).pollInterval(Duration.ofMillis(100));
  }

  @Override
  protected int initialDestinations() {
    return 1;
  }

  @Override
  protected Class<? extends Transport> declaredTransport() {
    return DockerExecTransport.class;
  }

  @Override
  protected boolean addDestination(TargetHandle handle) {
    app.container().getDockerClient().restartContainerCmd(app.container().getContainerId())
        .withTimeout(5).exec();
    return true;
  }

  @Override
  protected Duration patience() {
    return Duration.ofSeconds(15);
  }
}
