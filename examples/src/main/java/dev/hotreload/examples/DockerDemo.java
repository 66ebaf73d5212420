package dev.hotreload.examples;

import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.docker.DockerDevImage;
import dev.hotreload.docker.DockerTarget;
import dev.hotreload.event.ReloadListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The hello-world hot-reload loop in a Docker container: builds {@code examples/hello}'s dev
 * image, loads it into the engine Testcontainers finds, starts a container from it and reloads
 * it on every save — the same container throughout.
 *
 * <pre>
 * DockerDemo [--workspace DIR] [--edits N]
 * </pre>
 *
 * With {@code --edits N} it works on a copy of the workspace, edits the greeting N times itself,
 * waits each time until the new text is served, and prints edit→served figures. Without it, it
 * watches the workspace for your edits until Ctrl-C.
 */
public final class DockerDemo {
  private DockerDemo() {}

  /**
   * Runs the demo.
   *
   * @param args see the class comment
   * @throws Exception if the demo fails
   */
  public static void main(String[] args) throws Exception {
    Path workspace = Path.of("examples/hello");
    int edits = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workspace" -> workspace = Path.of(args[++i]);
        case "--edits" -> edits = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException(
            "Unknown argument '" + args[i] + "'; use --workspace DIR, --edits N");
      }
    }
    if (!Files.isRegularFile(workspace.resolve("go.mod"))) {
      throw new IllegalArgumentException("--workspace " + workspace.toAbsolutePath()
          + " has no go.mod: run from the repository root or pass the hello example's path");
    }
    if (edits > 0) {
      workspace = EditLoop.copy(workspace);
    }
    long started = System.nanoTime();
    DockerDevImage image = DockerDevImage.forWorkspace(workspace).mainPackage("./cmd/server")
        .build();
    System.out.printf("hotreload demo: built and loaded %s in %d ms%n", image.reference(),
        (System.nanoTime() - started) / 1_000_000);
    try (GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(image.reference())).withExposedPorts(8080)) {
      container.start();
      int port = container.getMappedPort(8080);
      System.out.printf("hotreload demo: %s → container %s on http://127.0.0.1:%d/%n",
          workspace.toAbsolutePath(), container.getContainerName().replaceFirst("^/", ""), port);
      EditLoop loop = new EditLoop();
      try (Session session = HotReload.forWorkspace(workspace)
          .mainPackage("./cmd/server")
          .target(DockerTarget.of(container))
          .readiness(Readiness.httpGet(8080, "/healthz"))
          .listener(ReloadListener.compose(ConsoleProgress.toStdout().relativeTo(workspace),
                  loop.listener()))
          .start()) {
        session.awaitReady(Duration.ofMinutes(5));
        if (edits == 0) {
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            session.close();
            container.stop();
          }));
          System.out.println("Edit " + workspace.resolve("cmd/server/main.go")
              + " and save; Ctrl-C to stop.");
          session.awaitClose();
          return;
        }
        loop.run(session, workspace.resolve("cmd/server/main.go"), () -> port, edits);
        loop.print("docker container");
      }
    }
  }
}
