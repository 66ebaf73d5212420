package dev.hotreload.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.hotreload.core.agent.AgentChannels;
import dev.hotreload.core.agent.AgentProtocol;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived Docker exec of {@code agent install --stream} in a container: each reload
 * writes its header and payload and reads one answer line, so it pays for creating and starting
 * an exec (three calls to the engine and a process start: about 40 ms on this machine) once per
 * container run instead of once per reload. Not thread-safe: one install at a time.
 */
final class DockerAgentChannel implements AgentChannels.Channel {
  private static final String ENDED = "\0ended";

  private final String id;
  private final Stdin stdin = new Stdin();
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Output output = new Output();
  private volatile boolean broken;

  private DockerAgentChannel(String id) {
    this.id = id;
  }

  /**
   * Opens a channel; returns once the exec is attached.
   *
   * @param container the container's run
   * @param command {@code agent install … --stream}
   * @param timeout how long attaching may take
   * @return the channel
   * @throws IOException if the engine refuses the exec or it does not attach in time
   */
  static DockerAgentChannel open(DockerContainer container, List<String> command,
      Duration timeout) throws IOException {
    DockerAgentChannel channel = new DockerAgentChannel(container.id());
    DockerClient docker = container.client();
    try {
      String exec = docker.execCreateCmd(container.containerId())
          .withCmd(command.toArray(String[]::new))
          .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true)
          .exec().getId();
      docker.execStartCmd(exec).withStdIn(channel.stdin).exec(channel.output);
      if (!channel.output.started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        channel.close();
        throw new IOException("the exec channel to " + container.id() + " did not attach within "
            + timeout.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      channel.close();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("opening the exec channel to " + container.id());
    } catch (RuntimeException e) {
      channel.close();
      throw new IOException("the exec channel to " + container.id() + " could not open: "
          + e.getMessage(), e);
    }
    return channel;
  }

  /**
   * Whether the exec still runs and every install on it so far kept the framing.
   *
   * @return true if it can take an install
   */
  @Override
  public boolean usable() {
    return !broken;
  }

  /**
   * Sends one payload and reads the agent's answer.
   *
   * @param payload header and bytes
   * @param afterSent runs once the payload is handed to the exec's stdin
   * @param timeout how long the answer may take
   * @return the answer
   * @throws IOException if the channel broke or the answer did not come in time; the channel is
   *     then closed and the caller delivers another way
   */
  @Override
  public synchronized AgentProtocol.InstallResult install(AgentProtocol.Payload payload,
      Runnable afterSent, Duration timeout) throws IOException {
    if (!usable()) {
      throw new IOException("the exec channel to " + id + " has ended");
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      payload.writeTo(bytes);
      stdin.offer(bytes.toByteArray());
      afterSent.run();
      String line = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Optional<AgentProtocol.InstallResult> answer = line == null || line.equals(ENDED)
          ? Optional.empty() : AgentProtocol.parseResult(line);
      if (answer.isEmpty()) {
        close();
        throw new IOException("the exec channel to " + id + (line == null
            ? " did not answer within " + timeout.toMillis() + " ms" : " ended"));
      }
      return answer.get();
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("install over the exec channel to " + id);
    }
  }

  @Override
  public void close() {
    broken = true;
    stdin.end(); // a clean end of the stream: the agent exits 0
    try {
      output.close();
    } catch (IOException | RuntimeException e) {
      // closing anyway
    }
  }

  /** Splits the agent's stdout into answer lines; an ended exec breaks the channel. */
  private final class Output extends ResultCallback.Adapter<Frame> {
    final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onStart(Closeable stream) {
      super.onStart(stream);
      started.countDown();
    }

    @Override
    public void onNext(Frame frame) {
      if (frame.getStreamType() == StreamType.STDERR) {
        return; // nothing the client needs
      }
      partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
      int newline;
      while ((newline = partial.indexOf("\n")) >= 0) {
        answers.add(partial.substring(0, newline));
        partial.delete(0, newline + 1);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      ended();
      super.onError(throwable);
    }

    @Override
    public void onComplete() {
      ended();
      super.onComplete();
    }

    private void ended() {
      broken = true;
      answers.add(ENDED);
      started.countDown();
    }
  }

  /**
   * The exec's stdin: payloads queued by installs, read by docker-java's copying thread, which
   * blocks between installs. (A PipedInputStream breaks once the thread that last wrote to it
   * ends, which a session's worker threads do.)
   */
  private static final class Stdin extends InputStream {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current;
    private int position;
    private boolean ended;

    void offer(byte[] chunk) {
      if (chunk.length > 0) {
        chunks.add(chunk);
      }
    }

    void end() {
      chunks.add(END);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (ended) {
        return -1;
      }
      if (current == null || position == current.length) {
        try {
          current = chunks.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("stdin of the exec channel");
        }
        position = 0;
        if (current == END) {
          ended = true;
          return -1;
        }
      }
      int n = Math.min(length, current.length - position);
      System.arraycopy(current, position, buffer, offset, n);
      position += n;
      return n;
    }
  }
}
