package dev.hotreload.examples;

import dev.hotreload.Phase;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.LocalProcessTarget;
import dev.hotreload.core.Readiness;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

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
      port = freePort();
    }
    if (edits > 0) {
      workspace = copy(workspace);
    }
    System.out.printf("hotreload demo: %s → local process on http://127.0.0.1:%d/%n",
        workspace.toAbsolutePath(), port);

    try (Session session = HotReload.forWorkspace(workspace)
        .mainPackage("./cmd/server")
        .target(LocalProcessTarget.create()
            .env("PORT", String.valueOf(port))
            .env("KO_DATA_PATH", workspace.resolve("kodata").toAbsolutePath().toString()))
        .readiness(Readiness.httpGet(port, "/healthz"))
        .listener(ConsoleProgress.toStdout().relativeTo(workspace))
        .start()) {
      session.awaitReady(Duration.ofMinutes(5));
      Runtime.getRuntime().addShutdownHook(new Thread(session::close));
      if (edits == 0) {
        System.out.println("Edit " + workspace.resolve("cmd/server/main.go")
            + " and save; Ctrl-C to stop.");
        session.awaitClose();
        return;
      }
      runEdits(session, workspace.resolve("cmd/server/main.go"), port, edits);
    }
  }

  private static void runEdits(Session session, Path main, int port, int edits)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String source = Files.readString(main);
    List<Long> served = new ArrayList<>();
    List<Long> builds = new ArrayList<>();
    for (int i = 1; i <= edits; i++) {
      String text = "Hello from hotreload edit " + i;
      long seen = session.lastSequence();
      long start = System.nanoTime();
      Files.writeString(main, source.replaceFirst("const greeting = \".*\"",
          "const greeting = \"" + text + "\""));
      while (!text.equals(get(http, port))) {
        if (System.nanoTime() - start > Duration.ofMinutes(2).toNanos()) {
          throw new IllegalStateException("edit " + i + " was not served within 2 minutes");
        }
        Thread.sleep(2);
      }
      served.add(System.nanoTime() - start);
      ReloadReport report = session.awaitReloadAfter(seen, Duration.ofSeconds(30));
      builds.add(report.duration(Phase.BUILD).orElse(Duration.ZERO).toNanos());
    }
    long medianServed = median(served);
    long medianBuild = median(builds);
    System.out.printf(Locale.ROOT,
        "%nedit→served over %d edits: median %.0f ms, p95 %.0f ms, min %.0f ms, max %.0f ms; "
            + "go build median %.0f ms (%.0f%% of the median); the rest is watch, debounce, "
            + "copy, restart and readiness%n",
        edits, ms(medianServed), ms(percentile(served, 95)), ms(Collections.min(served)),
        ms(Collections.max(served)), ms(medianBuild), 100.0 * medianBuild / medianServed);
  }

  private static String get(HttpClient http, int port) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
          .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Path copy(Path source) throws IOException {
    Path target = Files.createTempDirectory("hotreload-demo-");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path to = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return target;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static long median(List<Long> values) {
    return percentile(values, 50);
  }

  static long percentile(List<Long> values, int percent) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
