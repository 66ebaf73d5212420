package dev.hotreload.k8s.exec;

import dev.hotreload.core.agent.AgentChannels;
import dev.hotreload.core.agent.AgentProtocol;
import dev.hotreload.k8s.internal.NoDelaySockets;
import dev.hotreload.k8s.pod.ExecOpening;
import dev.hotreload.k8s.pod.PodContainer;
import io.kubernetes.client.Exec;
import io.kubernetes.client.openapi.ApiException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived exec of {@code agent install --stream} in a container: each reload writes its
 * header and payload and reads one answer line, so it pays for the exec — the API server, the
 * kubelet, the runtime starting a process — once per container instead of once per reload
 * (about 100 ms on the local cluster). Not thread-safe: one install at a time.
 */
final class AgentChannel implements AgentChannels.Channel {
  private static final String ENDED = "\0ended";

  private final PodContainer pod;
  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private volatile boolean broken;

  private AgentChannel(PodContainer pod, Process process) {
    this.pod = pod;
    this.process = process;
    this.stdin = ExecOpening.stdinOf(process);
    read(process.getInputStream(), answers, "hotreload-channel-" + pod.id());
    // stderr carries nothing the client needs; it is drained so it cannot fill up.
    read(process.getErrorStream(), new LinkedBlockingQueue<>(),
        "hotreload-channel-err-" + pod.id());
  }

  /**
   * Opens a channel; returns once the exec's websocket is open.
   *
   * @param pod the container
   * @param command {@code agent install … --stream}
   * @return the channel
   * @throws IOException if the exec is refused or cannot open
   */
  static AgentChannel open(PodContainer pod, List<String> command) throws IOException {
    Process process;
    try {
      process = new Exec(NoDelaySockets.apply(pod.client()))
          .newExecutionBuilder(pod.namespace(), pod.pod(), command.toArray(String[]::new))
          .setContainer(pod.container())
          .setStdin(true)
          .setStdout(true)
          .setStderr(true)
          .setTty(false)
          .setOnUnhandledError(error -> { })
          .execute();
    } catch (ApiException e) {
      throw new IOException("exec into " + pod.id() + " was refused: HTTP " + e.getCode(), e);
    }
    AgentChannel channel = new AgentChannel(pod, process);
    try {
      // Waits until the websocket is open (client-java drops a close sent before that): the
      // channel is ready when this returns.
      ExecOpening.await(channel.stdin, process, pod, Duration.ofSeconds(20));
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return channel;
  }

  private void read(InputStream in, BlockingQueue<String> into, String name) {
    Thread thread = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          into.add(line);
        }
      } catch (IOException e) {
        // the exec ended
      }
      broken = true;
      into.add(ENDED);
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Whether the exec still runs and every install on it so far kept the framing.
   *
   * @return true if it can take an install
   */
  @Override
  public boolean usable() {
    return !broken && process.isAlive();
  }

  /**
   * Sends one payload and reads the agent's answer.
   *
   * @param payload header and bytes
   * @param afterSent runs once the payload is written
   * @param timeout how long the answer may take
   * @return the answer
   * @throws IOException if the channel broke or the answer did not come in time; the channel is
   *     then closed and the caller delivers another way
   */
  @Override
  public synchronized AgentProtocol.InstallResult install(AgentProtocol.Payload payload,
      Runnable afterSent, Duration timeout) throws IOException {
    if (!usable()) {
      throw new IOException("the channel to " + pod.id() + " has ended");
    }
    try {
      payload.writeTo(stdin);
      afterSent.run();
      String[] line = new String[1];
      pod.awaitWhileRunning(timeout,
          nanos -> (line[0] = answers.poll(nanos, TimeUnit.NANOSECONDS)) != null);
      return answerOf(line[0], timeout);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("install over the channel to " + pod.id());
    } catch (IOException e) {
      close();
      throw e;
    } catch (RuntimeException e) {
      // client-java throws unchecked from a websocket that broke under it
      close();
      throw new IOException("the channel to " + pod.id() + " broke: " + e, e);
    }
  }

  private AgentProtocol.InstallResult answerOf(String line, Duration timeout) throws IOException {
    Optional<AgentProtocol.InstallResult> answer = line == null || line.equals(ENDED)
        ? Optional.empty() : AgentProtocol.parseResult(line);
    if (answer.isEmpty()) {
      throw new IOException("the channel to " + pod.id() + (line == null
          ? " did not answer within " + timeout.toMillis() + " ms" : " ended: " + line));
    }
    // A payload the agent could not read to its end ends the stream after the answer.
    return answer.get();
  }

  @Override
  public void close() {
    broken = true;
    try {
      stdin.close(); // a clean end of the stream: the agent exits 0
    } catch (IOException | RuntimeException e) {
      // closing anyway
    }
    ExecOpening.destroyQuietly(process);
  }
}
