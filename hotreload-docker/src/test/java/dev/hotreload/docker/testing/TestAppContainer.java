package dev.hotreload.docker.testing;

import dev.hotreload.Artifact;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.docker.DockerDevImage;
import dev.hotreload.spi.BuildRequest;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The core tests' Go app (GoWorkspace) in a container of the real Docker engine, started from
 * its dev image, for the contract tests of the Docker target and transport.
 */
public final class TestAppContainer implements AutoCloseable {
  private static final Pattern SHA256 = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");

  private final GoWorkspace workspace;
  private final DockerDevImage image;
  private final GenericContainer<?> container;

  private TestAppContainer(GoWorkspace workspace, DockerDevImage image,
      GenericContainer<?> container) {
    this.workspace = workspace;
    this.image = image;
    this.container = container;
  }

  /**
   * Builds the app's dev image in {@code dir} and starts a container of it.
   *
   * @param dir an empty directory for the workspace
   * @return the running container
   * @throws Exception if the build, the load or the start fails
   */
  public static TestAppContainer start(Path dir) throws Exception {
    GoWorkspace workspace = GoWorkspace.create(dir, "v0");
    DockerDevImage image = DockerDevImage.forWorkspace(dir).mainPackage("./cmd/server")
        .name("testapp").build();
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image.reference()))
        .withEnv("PORT", "8080");
    container.start();
    return new TestAppContainer(workspace, image, container);
  }

  /**
   * The app built with another greeting, for the engine's platform.
   *
   * @param greeting what it answers
   * @return the binary
   * @throws Exception if the build fails
   */
  public Artifact build(String greeting) throws Exception {
    workspace.greeting(greeting);
    return GoBuilder.create().build(new BuildRequest(workspace.root(), "./cmd/server",
        image.platform()));
  }

  /**
   * What the container's agent says it runs.
   *
   * @return the sha256 of the running binary
   * @throws Exception if the agent does not say
   */
  public String runningSha256() throws Exception {
    var status = container.execInContainer(AgentLayout.PATH, "status", "--dir",
        AgentLayout.stateDirectory(DockerDevImage.CONTAINER));
    Matcher matcher = SHA256.matcher(status.getStdout());
    if (!matcher.find()) {
      throw new IllegalStateException("agent status said: " + status.getStdout()
          + status.getStderr());
    }
    return matcher.group(1);
  }

  /**
   * The container.
   *
   * @return the started container
   */
  public GenericContainer<?> container() {
    return container;
  }

  @Override
  public void close() {
    container.stop();
  }
}
