package dev.hotreload.examples;

import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.local.LocalProcessTarget;
import dev.hotreload.event.ReloadListener;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The hello-world hot-reload loop on this machine, without a cluster: runs {@code
 * examples/hello} as a local process and reloads it on every save.
 *
 * <pre>
 * LocalDemo [--workspace DIR] [--edits N] [--port P]
 * </pre>
 *
 * With {@code --edits N} it works on a copy of the workspace, edits the greeting N times itself,
 * waits each time until the new text is served, and prints edit→served figures. Without it, it
 * watches the workspace for your edits until Ctrl-C.
 */
public final class LocalDemo {
  private LocalDemo() {}

  /**
   * Runs the demo.
   *
   * @param args see the class comment
   * @throws Exception if the demo fails
   */
  public static void main(String[] args) throws Exception {
    Path workspace = Path.of("examples/hello");
    int edits = 0;
    int port = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workspace" -> workspace = Path.of(args[++i]);
        case "--edits" -> edits = Integer.parseInt(args[++i]);
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException(
            "Unknown argument '" + args[i] + "'; use --workspace DIR, --edits N, --port P");
      }
    }
    if (!Files.isRegularFile(workspace.resolve("go.mod"))) {
      throw new IllegalArgumentException("--workspace " + workspace.toAbsolutePath()
          + " has no go.mod: run from the repository root or pass the hello example's path");
    }
    if (port == 0) {
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
    }
    if (edits > 0) {
      workspace = EditLoop.copy(workspace);
    }
    System.out.printf("hotreload demo: %s → local process on http://127.0.0.1:%d/%n",
        workspace.toAbsolutePath(), port);

    EditLoop loop = new EditLoop();
    try (Session session = HotReload.forWorkspace(workspace)
        .mainPackage("./cmd/server")
        .target(LocalProcessTarget.create()
            .env("PORT", String.valueOf(port))
            .env("KO_DATA_PATH", workspace.resolve("kodata").toAbsolutePath().toString()))
        .readiness(Readiness.httpGet(port, "/healthz"))
        .listener(ReloadListener.compose(ConsoleProgress.toStdout().relativeTo(workspace),
                loop.listener()))
        .start()) {
      session.awaitReady(Duration.ofMinutes(5));
      Runtime.getRuntime().addShutdownHook(new Thread(session::close));
      if (edits == 0) {
        System.out.println("Edit " + workspace.resolve("cmd/server/main.go")
            + " and save; Ctrl-C to stop.");
        session.awaitClose();
        return;
      }
      int fixed = port;
      loop.run(session, workspace.resolve("cmd/server/main.go"), () -> fixed, edits);
      loop.print("local process");
    }
  }

}
