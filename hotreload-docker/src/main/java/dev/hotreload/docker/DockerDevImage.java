package dev.hotreload.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentBinaries;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.BuildRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The dev image of a Go service, built here and loaded into a Docker engine: ko's layout (the
 * binary at {@code /ko-app/NAME}, {@code kodata/} at {@code KO_DATA_PATH}) on the workspace's
 * base image ({@code scratch} unless {@code .ko.yaml} or {@link Builder#base} says otherwise),
 * with the hotreload agent as entrypoint, supervising the binary. A container started from it
 * is what {@link DockerTarget} reloads into; nothing is pushed anywhere.
 *
 * <pre>{@code
 * DockerDevImage image = DockerDevImage.forWorkspace(workspace).mainPackage("./cmd/hello").build();
 * GenericContainer<?> hello = new GenericContainer<>(image.reference()).withExposedPorts(8080);
 * }</pre>
 *
 * @param reference the image's name in the engine, such as {@code hotreload.local/hello:dev}
 * @param platform the engine's platform, which the binary is built for
 * @param binary the binary inside
 * @param entrypoint the agent's command, ending with the binary's path
 * @param took how long building and loading took
 */
public record DockerDevImage(String reference, Platform platform, Artifact binary,
    List<String> entrypoint, Duration took) {

  /** Names the agent's directory in the container: {@code /var/run/hotreload/app}. */
  public static final String CONTAINER = "app";

  /** Checks the fields. */
  public DockerDevImage {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(binary, "binary");
    entrypoint = List.copyOf(entrypoint);
    Objects.requireNonNull(took, "took");
  }

  /**
   * Starts describing the dev image of a service in this Go workspace.
   *
   * @param workspace the directory with {@code go.mod} (or {@code go.work})
   * @return a builder
   */
  public static Builder forWorkspace(Path workspace) {
    return new Builder(workspace);
  }

  /** Settings of a dev image; {@link #build()} builds it and loads it into the engine. */
  public static final class Builder {
    private final Path workspace;
    private String mainPackage = ".";
    private String name;
    private String base;
    private Path baseArchive;
    private ArtifactBuilder builder;
    private DockerClient client;
    private Consumer<LogEvent> logger = event -> {};

    private Builder(Path workspace) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
    }

    /**
     * The main package, relative to the workspace, such as {@code ./cmd/hello}; {@code .} by
     * default.
     *
     * @param mainPackage a Go package path starting with {@code ./}, or {@code .}
     * @return this
     */
    public Builder mainPackage(String mainPackage) {
      this.mainPackage = Objects.requireNonNull(mainPackage, "mainPackage");
      return this;
    }

    /**
     * The image's repository name; by default the main package's last element (the
     * workspace's directory name for {@code .}).
     *
     * @param name lower case, such as {@code hello}
     * @return this
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The base image in a registry, overriding {@code .ko.yaml}; {@code scratch} for none.
     *
     * @param reference such as {@code 127.0.0.1:5000/static:latest}
     * @return this
     */
    public Builder base(String reference) {
      this.base = Objects.requireNonNull(reference, "reference");
      this.baseArchive = null;
      return this;
    }

    /**
     * The base image from a tar that {@code docker save} wrote.
     *
     * @param archive the tar
     * @return this
     */
    public Builder base(Path archive) {
      this.baseArchive = Objects.requireNonNull(archive, "archive");
      this.base = null;
      return this;
    }

    /**
     * The builder of the binary; a {@link GoBuilder} by default. The session should use the
     * same flags, so its first delivery finds the binary already running.
     *
     * @param builder the binary's builder
     * @return this
     */
    public Builder builder(ArtifactBuilder builder) {
      this.builder = Objects.requireNonNull(builder, "builder");
      return this;
    }

    /**
     * The engine to load the image into, instead of the one Testcontainers finds.
     *
     * @param client a docker-java client
     * @return this
     */
    public Builder dockerClient(DockerClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Where progress goes (the build, the image, the load).
     *
     * @param logger receives each step
     * @return this
     */
    public Builder logger(Consumer<LogEvent> logger) {
      this.logger = Objects.requireNonNull(logger, "logger");
      return this;
    }

    /**
     * Builds the binary for the engine's platform, the image around it, and loads the image
     * into the engine under {@code hotreload.local/NAME:dev}.
     *
     * @return the loaded image
     * @throws IOException if the build, the image or the load fails (the message says which)
     * @throws InterruptedException if interrupted
     */
    public DockerDevImage build() throws IOException, InterruptedException {
      long started = System.nanoTime();
      DockerClient docker = client != null ? client : DockerTarget.engineClient();
      Platform platform = platformOf(docker);
      Artifact binary = (builder != null ? builder : GoBuilder.create())
          .build(new BuildRequest(workspace, mainPackage, platform));
      Path agent = AgentBinaries.createDefault().agentFor(platform);
      String reference = "hotreload.local/" + imageName(binary) + ":dev";
      List<String> entrypoint = AgentLayout.runCommand(CONTAINER, List.of(),
          List.of(ImageBuilder.KO_APP + "/" + binary.binaryName()));
      Path tar = Files.createTempFile("hotreload-dev-image-", ".tar");
      try {
        ImageBuilder image = ImageBuilder.forWorkspace(workspace).logger(logger)
            .binary(binary).supervisor(platform, agent, AgentLayout.PATH)
            .entrypoint(entrypoint).toDockerTar(tar, reference);
        if (base != null) {
          image.base(base);
        } else if (baseArchive != null) {
          image.base(baseArchive);
        }
        BuiltImage built = image.build();
        try (InputStream in = Files.newInputStream(tar)) {
          docker.loadImageCmd(in).exec();
        } catch (RuntimeException e) {
          throw new IOException("Loading " + reference + " into the Docker engine failed: "
              + e.getMessage(), e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        logger.accept(LogEvent.info("Loaded " + built.reference() + " (" + platform
            + ") into the Docker engine in " + took.toMillis() + " ms"));
        return new DockerDevImage(reference, platform, binary, entrypoint, took);
      } finally {
        Files.deleteIfExists(tar);
      }
    }

    private String imageName(Artifact binary) {
      String chosen = name != null ? name : binary.binaryName();
      String cleaned = chosen.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
      if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0))) {
        throw new IllegalArgumentException("Dev image name '" + chosen + "' does not start with "
            + "a letter or digit: choose one with name(...)");
      }
      return cleaned;
    }

    private static Platform platformOf(DockerClient docker) throws IOException {
      Info info;
      try {
        info = docker.infoCmd().exec();
      } catch (RuntimeException e) {
        throw new IOException("The Docker engine did not answer: " + e.getMessage(), e);
      }
      String os = Objects.requireNonNullElse(info.getOsType(), "linux");
      String arch = Objects.requireNonNullElse(info.getArchitecture(), "x86_64");
      return Platform.of(os, switch (arch) {
        case "x86_64", "amd64" -> "amd64";
        case "aarch64", "arm64" -> "arm64";
        case "armv7l" -> "arm";
        default -> arch;
      });
    }
  }
}
