package dev.hotreload.k8s.pod;

import dev.hotreload.k8s.internal.NoDelaySockets;
import io.kubernetes.client.Exec;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command in a container through the API server's exec endpoint, feeding stdin and
 * collecting output, with the two traps of client-java 27 handled: a stdin close sent before the
 * websocket is open is lost (so a zero-length write, which waits for it, goes first), and the
 * output streams must be taken right after {@code execute()}.
 */
public final class PodExec {
  /** What client-java's {@code ExecProcess} reports as the exit status when the websocket fails. */
  public static final int CONNECTION_FAILED = -1975219;

  /**
   * What the command printed and returned.
   *
   * @param exitCode the exit status, or {@link #CONNECTION_FAILED}
   * @param stdout everything it printed on stdout
   * @param stderr everything it printed on stderr
   */
  public record Result(int exitCode, String stdout, String stderr) {}

  /** Writes the command's stdin. */
  @FunctionalInterface
  public interface Stdin {
    /**
     * Writes everything the command reads.
     *
     * @param out the command's stdin
     * @throws IOException if writing fails
     */
    void writeTo(OutputStream out) throws IOException;
  }

  private final ApiClient client;

  /**
   * Execs through this client.
   *
   * @param client the API client; its new connections get {@code TCP_NODELAY}, which OkHttp
   *     leaves off (an exec's stdin otherwise waits for delayed acknowledgements)
   */
  public PodExec(ApiClient client) {
    this.client = NoDelaySockets.apply(client);
  }

  /**
   * Runs the command.
   *
   * @param target the container
   * @param command the command and its arguments
   * @param stdin writes stdin, or null for none; stdin is closed after it
   * @param afterStdin runs once stdin is fully written and closed
   * @param timeout the longest the command may take
   * @return exit code and output
   * @throws IOException if exec fails, times out or is interrupted
   */
  public Result run(PodContainer target, List<String> command, Stdin stdin, Runnable afterStdin,
      Duration timeout) throws IOException {
    Process process;
    try {
      process = new Exec(client)
          .newExecutionBuilder(target.namespace(), target.pod(), command.toArray(String[]::new))
          .setContainer(target.container())
          .setStdin(stdin != null)
          .setStdout(true)
          .setStderr(true)
          .setTty(false)
          // The close frame often races the server's own close after the exit status: that
          // is normal, and client-java would print each one as a stack trace.
          .setOnUnhandledError(error -> { })
          .execute();
    } catch (ApiException e) {
      throw new IOException("exec into " + target.id() + " was refused: HTTP " + e.getCode()
          + " " + e.getResponseBody(), e);
    }
    CompletableFuture<String> stdout = drain(process.getInputStream(), target.id() + "-stdout");
    CompletableFuture<String> stderr = drain(process.getErrorStream(), target.id() + "-stderr");
    try {
      if (stdin != null) {
        try (OutputStream out = ExecOpening.stdinOf(process)) {
          ExecOpening.await(out, process, target, ExecOpening.limit(timeout));
          stdin.writeTo(out);
          out.flush();
        }
      }
      if (afterStdin != null) {
        afterStdin.run();
      }
      if (!target.awaitWhileRunning(timeout,
          nanos -> process.waitFor(nanos, TimeUnit.NANOSECONDS))) {
        throw new IOException(String.join(" ", command) + " in " + target.id()
            + " did not finish within " + timeout.toMillis() + " ms");
      }
      // Read now: client-java overwrites the status with CONNECTION_FAILED when the websocket's
      // close handshake fails afterwards, which happens routinely once the command has exited.
      int exit = process.exitValue();
      String out = stdout.get(5, TimeUnit.SECONDS);
      String err = stderr.get(5, TimeUnit.SECONDS);
      // CONNECTION_FAILED is returned, not thrown: output that did arrive (the agent's JSON
      // answer) is still authoritative, and the caller knows whether it needs the status.
      return new Result(exit, out, err);
    } catch (RuntimeException e) {
      throw ExecOpening.broken(target, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("exec into " + target.id() + " interrupted");
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("reading the output of exec into " + target.id() + " failed", e);
    } finally {
      ExecOpening.destroyQuietly(process);
    }
  }

  private static CompletableFuture<String> drain(InputStream in, String name) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      try (in) {
        in.transferTo(buffer);
      } catch (IOException e) {
        // the websocket closed: what arrived is all there is
      }
      text.complete(buffer.toString(StandardCharsets.UTF_8));
    }, "hotreload-exec-" + name);
    thread.setDaemon(true);
    thread.start();
    return text;
  }
}
