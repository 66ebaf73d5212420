package dev.hotreload.core.testing;

import dev.hotreload.core.agent.AgentProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The in-container agent running as a local process: {@code agent run} supervises an app, and
 * {@link #install} runs {@code agent install} with the payload on its stdin, exactly as the
 * Kubernetes exec transport does inside a container.
 */
public final class LocalAgent implements AutoCloseable {
  private final Path agent;
  private final Path dir;
  private final Process supervisor;

  /** What one {@code agent install} run printed and returned. */
  public record Install(int exitCode, String stdout, String stderr,
      AgentProtocol.InstallResult result) {}

  private LocalAgent(Path agent, Path dir, Process supervisor) {
    this.agent = agent;
    this.dir = dir;
    this.supervisor = supervisor;
  }

  /**
   * Starts {@code agent run --dir DIR -- app} and waits until it answers {@code status}.
   *
   * @param agent the agent binary
   * @param dir its state directory
   * @param app the app binary to supervise
   * @param env extra environment for the app
   * @return the running agent
   * @throws Exception if it does not come up within 10 s
   */
  public static LocalAgent start(Path agent, Path dir, Path app, Map<String, String> env)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(agent.toString(), "run", "--dir", dir.toString(),
        "--stop-timeout", "2s", "--", app.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile());
    builder.environment().putAll(env);
    LocalAgent local = new LocalAgent(agent, dir, builder.start());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!local.status().contains("\"pid\"")) {
      if (System.nanoTime() > deadline || !local.supervisor.isAlive()) {
        local.close();
        throw new IllegalStateException("agent run did not come up; log: "
            + dir.resolveSibling(dir.getFileName() + ".log"));
      }
      Thread.sleep(10);
    }
    return local;
  }

  /**
   * Runs {@code agent status}.
   *
   * @return its JSON, or its error output
   * @throws Exception if it cannot run
   */
  public String status() throws Exception {
    Process p = new ProcessBuilder(agent.toString(), "status", "--dir", dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  /**
   * Sends a whole payload.
   *
   * @param payload the header and bytes
   * @param extraArgs more {@code agent install} flags, like {@code --wait-tcp}
   * @return what install answered
   * @throws Exception if it cannot run
   */
  public Install install(AgentProtocol.Payload payload, String... extraArgs) throws Exception {
    return installRaw(payload::writeTo, extraArgs);
  }

  /** Writes whatever the test wants on install's stdin. */
  @FunctionalInterface
  public interface StdinWriter {
    /**
     * Writes.
     *
     * @param stdin the stream; closed afterwards
     * @throws IOException if writing fails
     */
    void write(OutputStream stdin) throws IOException;
  }

  /**
   * Runs {@code agent install} with arbitrary stdin.
   *
   * @param writer writes stdin
   * @param extraArgs more flags
   * @return what install answered
   * @throws Exception if it cannot run
   */
  public Install installRaw(StdinWriter writer, String... extraArgs) throws Exception {
    List<String> command = new ArrayList<>(List.of(agent.toString(), "install", "--dir",
        dir.toString(), "--timeout", "20s"));
    command.addAll(List.of(extraArgs));
    Process p = new ProcessBuilder(command).start();
    try (OutputStream stdin = p.getOutputStream()) {
      writer.write(stdin);
    } catch (IOException e) {
      // install may exit early (bad header): its answer is on stdout
    }
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("agent install hung");
    }
    return new Install(p.exitValue(), stdout, stderr,
        AgentProtocol.parseResult(stdout).orElse(null));
  }

  /**
   * Whether the supervisor is still running.
   *
   * @return true if alive
   */
  public boolean alive() {
    return supervisor.isAlive();
  }

  @Override
  public void close() throws Exception {
    supervisor.destroy();
    if (!supervisor.waitFor(10, TimeUnit.SECONDS)) {
      supervisor.destroyForcibly();
    }
  }
}
