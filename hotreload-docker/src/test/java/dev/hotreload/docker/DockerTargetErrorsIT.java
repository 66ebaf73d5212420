package dev.hotreload.docker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Platform;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetRequest;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/** What DockerTarget says when it is pointed at a container it cannot reload. */
class DockerTargetErrorsIT {
  private static final TargetRequest REQUEST =
      new TargetRequest(Platform.linuxHost(), TargetEvents.NONE);

  @Test
  void aContainerThatDoesNotExist_isNamed() {
    assertThatThrownBy(() -> DockerTarget.containers("no-such-hotreload-container")
        .open(REQUEST))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("'no-such-hotreload-container' does not exist")
        .hasMessageContaining("DockerDevImage");
  }

  @Test
  void aContainerThatDoesNotRunTheAgent_isRefused_withWhatItRuns(@TempDir Path dir)
      throws Exception {
    GoWorkspace.create(dir, "plain");
    DockerDevImage image = DockerDevImage.forWorkspace(dir).mainPackage("./cmd/server")
        .name("testapp-plain").build();
    // The app started directly, as a plain image would: no agent to install through.
    try (GenericContainer<?> plain = new GenericContainer<>(DockerImageName.parse(
        image.reference())).withEnv("PORT", "8080")
        .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/ko-app/server"))) {
      plain.start();

      assertThatThrownBy(() -> DockerTarget.of(plain).open(REQUEST))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("runs [/ko-app/server], not the hotreload agent")
          .hasMessageContaining("DockerDevImage");
    }
  }

  @Test
  void anUnstartedTestcontainer_isRefused_beforeAnythingRuns() {
    try (GenericContainer<?> unstarted =
        new GenericContainer<>(DockerImageName.parse("hotreload.local/never-started:dev"))) {
      assertThatThrownBy(() -> DockerTarget.of(unstarted))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("has not been started");
    }
  }
}
