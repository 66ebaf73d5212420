package dev.hotreload.core.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Go module on disk for tests: an HTTP server at {@code ./cmd/server} that answers with a
 * greeting constant, which {@link #greeting(String)} rewrites like a developer's edit.
 */
public final class GoWorkspace {
  /** The module path. */
  public static final String MODULE = "example.com/hotreload/testapp";

  private final Path root;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private GoWorkspace(Path root) {
    this.root = root;
  }

  /**
   * Writes the module into a directory.
   *
   * @param root an empty directory
   * @param greeting the first answer
   * @return the workspace
   * @throws IOException if writing fails
   */
  public static GoWorkspace create(Path root, String greeting) throws IOException {
    GoWorkspace workspace = new GoWorkspace(root);
    Files.writeString(root.resolve("go.mod"), "module " + MODULE + "\n\ngo 1.21\n");
    Path server = Files.createDirectories(root.resolve("cmd/server"));
    Files.writeString(server.resolve("main.go"), """
        package main

        import (
        \t"crypto/sha256"
        \t"fmt"
        \t"io"
        \t"net/http"
        \t"os"

        \t"example.com/hotreload/testapp/internal/greet"
        )

        func main() {
        \tif len(os.Args) > 1 && os.Args[1] == "sum" {
        \t\t// Reads stdin to the end and prints its sha256 and length: an exec stdin probe.
        \t\th := sha256.New()
        \t\tn, err := io.Copy(h, os.Stdin)
        \t\tif err != nil {
        \t\t\tfmt.Fprintln(os.Stderr, err)
        \t\t\tos.Exit(1)
        \t\t}
        \t\tfmt.Printf("%x %d\\n", h.Sum(nil), n)
        \t\treturn
        \t}
        \tport := os.Getenv("PORT")
        \thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
        \t\tfmt.Fprint(w, greet.Text)
        \t})
        \tfmt.Println("listening on", port)
        \tif err := http.ListenAndServe("127.0.0.1:"+port, nil); err != nil {
        \t\tfmt.Fprintln(os.Stderr, err)
        \t\tos.Exit(1)
        \t}
        }
        """);
    Files.createDirectories(root.resolve("internal/greet"));
    workspace.greeting(greeting);
    return workspace;
  }

  /**
   * The module root.
   *
   * @return the directory with go.mod
   */
  public Path root() {
    return root;
  }

  /**
   * The file holding the greeting.
   *
   * @return internal/greet/greet.go
   */
  public Path greetingFile() {
    return root.resolve("internal/greet/greet.go");
  }

  /**
   * Edits the greeting, as a developer saving the file would.
   *
   * @param text the new answer
   * @throws IOException if writing fails
   */
  public void greeting(String text) throws IOException {
    Files.writeString(greetingFile(),
        "package greet\n\n// Text is what the server answers.\nconst Text = \"" + text + "\"\n");
  }

  /**
   * Makes the next binary build fine and crash as it starts (a panic in an init function).
   *
   * @param text the greeting it would have answered
   * @throws IOException if writing fails
   */
  public void crashAtStart(String text) throws IOException {
    Files.writeString(greetingFile(), "package greet\n\n// Text is what the server answers.\n"
        + "const Text = \"" + text + "\"\n\nfunc init() { panic(\"crashing on purpose\") }\n");
  }

  /**
   * Makes the next binary start and serve, then exit with code 4 this long after it started:
   * a build that passes readiness and crashes soon after.
   *
   * @param text the greeting it answers meanwhile
   * @param after how long it lives
   * @throws IOException if writing fails
   */
  public void crashSoonAfterStart(String text, Duration after) throws IOException {
    Files.writeString(greetingFile(), "package greet\n\nimport (\n\t\"os\"\n\t\"time\"\n)\n\n"
        + "// Text is what the server answers.\nconst Text = \"" + text + "\"\n\n"
        + "func init() {\n\tgo func() {\n\t\ttime.Sleep(" + after.toMillis()
        + " * time.Millisecond)\n\t\tos.Exit(4)\n\t}()\n}\n");
  }

  /**
   * Breaks the build with an undefined name on line 4.
   *
   * @throws IOException if writing fails
   */
  public void breakBuild() throws IOException {
    Files.writeString(greetingFile(), "package greet\n\n// Text is broken.\nconst Text = greetin\n");
  }

  /**
   * A free TCP port on the loopback.
   *
   * @return the port
   * @throws IOException if none can be had
   */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** An HTTP client for the loopback, for tests that have no workspace at hand. */
  public static final class Client {
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    /**
     * GETs / on the loopback port.
     *
     * @param port the port
     * @return the body, or null if nothing answers
     */
    public String get(int port) {
      return GoWorkspace.get(http, port);
    }
  }

  /**
   * GETs / on the loopback port.
   *
   * @param port the port
   * @return the body, or null if nothing answers
   */
  public String get(int port) {
    return get(http, port);
  }

  private static String get(HttpClient http, int port) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
              .timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
