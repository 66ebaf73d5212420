package dev.hotreload.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.agent.AgentChannels;
import dev.hotreload.core.agent.AgentDelivery;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentProtocol;
import dev.hotreload.core.agent.AgentProtocol.Encoding;
import dev.hotreload.spi.DataRequest;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Delivers a binary to the hotreload agent in a Docker container: one exec of {@code agent
 * install} through Docker's exec API, whose stdin carries the header and the binary, or a delta
 * against what the container runs ({@link AgentDelivery}); the agent verifies it, swaps it in,
 * restarts the app and answers with one JSON line. Needs no shell and no tar in the image, so a
 * {@code scratch} image works.
 *
 * <p>After a container's first binary, the transport keeps one exec of {@code agent install
 * --stream} open to it and sends later binaries through it, so a reload does not pay for a new
 * exec; a channel that broke is dropped and the reload goes through an exec of its own.
 *
 * <p>Thread-safe; one instance serves every container of a session.
 */
public final class DockerExecTransport implements Transport, Closeable {
  private final AgentDelivery delivery;
  private final String waitTcp;
  /** Per container run, the long-lived exec the next reload goes through. */
  private final AgentChannels<DockerAgentChannel> channels = new AgentChannels<>();

  /** Deltas when the container runs a binary this transport knows, the whole binary otherwise. */
  public DockerExecTransport() {
    this(null, null);
  }

  private DockerExecTransport(Encoding encoding, String waitTcp) {
    this.delivery = new AgentDelivery(encoding, DockerExecTransport.class);
    this.waitTcp = waitTcp;
  }

  /**
   * A transport that always sends the whole binary as it is (no delta), for measuring.
   *
   * @return the transport
   */
  public static DockerExecTransport identity() {
    return new DockerExecTransport(Encoding.IDENTITY, null);
  }

  /**
   * A transport whose agent waits until this port of the container accepts connections before
   * it reports the restart done; without it, the lowest exposed TCP port, and without one a
   * fixed 200 ms to catch a crash at start.
   *
   * @param port the app's port in the container
   * @return a new transport
   */
  public static DockerExecTransport waitingForPort(int port) {
    return new DockerExecTransport(null, "127.0.0.1:" + port);
  }

  @Override
  public TransferResult transfer(TransferRequest request) throws IOException {
    DockerContainer container = DockerContainer.of(request.destination(),
        DockerExecTransport.class);
    return delivery.deliver(new Connection(container), request);
  }

  @Override
  public boolean transfersData() {
    return true;
  }

  @Override
  public TransferResult transferData(DataRequest request) throws IOException {
    DockerContainer container = DockerContainer.of(request.destination(),
        DockerExecTransport.class);
    return delivery.deliverData(new Connection(container), request);
  }

  /** The agent in one container, reached by execs. */
  private final class Connection implements AgentDelivery.Connection {
    private final DockerContainer container;

    Connection(DockerContainer container) {
      this.container = container;
    }

    @Override
    public String id() {
      return container.id();
    }

    @Override
    public String agentDirectory() {
      return container.agentDirectory();
    }

    @Override
    public Optional<String> waitAddress() {
      return waitTcp != null ? Optional.of(waitTcp)
          : container.appPort().map(port -> "127.0.0.1:" + port);
    }

    @Override
    public Encoding wholeEncoding() {
      String dockerHost = System.getenv("DOCKER_HOST");
      String host = dockerHost == null || !dockerHost.startsWith("tcp:") ? null
          : URI.create(dockerHost).getHost();
      return AgentDelivery.wholeEncodingFor(host);
    }

    @Override
    public AgentDelivery.ExecResult run(List<String> command, AgentDelivery.Stdin stdin,
        Runnable afterStdin, Duration timeout) throws IOException {
      return exec(container, command, stdin, afterStdin, timeout);
    }

    @Override
    public Optional<AgentProtocol.InstallResult> installOverChannel(
        AgentProtocol.Payload payload, Runnable sent, Duration timeout) throws IOException {
      return channels.install(container.id(), payload, sent, timeout);
    }

    @Override
    public void delivered(Duration timeout) {
      List<String> command = AgentLayout.installCommand(agentDirectory(), timeout,
          waitAddress(), true);
      channels.keepOpen(container.id(),
          () -> DockerAgentChannel.open(container, command, Duration.ofSeconds(20)));
    }
  }

  /** Ends the open channels; later reloads open new ones. */
  @Override
  public void close() {
    channels.close();
  }

  private static AgentDelivery.ExecResult exec(DockerContainer container, List<String> command,
      AgentDelivery.Stdin stdin, Runnable afterStdin, Duration timeout) throws IOException {
    DockerClient docker = container.client();
    Output output = new Output();
    try {
      ExecCreateCmdResponse exec = docker.execCreateCmd(container.containerId())
          .withCmd(command.toArray(String[]::new))
          .withAttachStdin(stdin != null).withAttachStdout(true).withAttachStderr(true)
          .exec();
      var start = docker.execStartCmd(exec.getId());
      if (stdin != null) {
        // The payload is in memory already (header and bytes); a copy costs ~1 ms per 6 MB.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        stdin.writeTo(bytes);
        start.withStdIn(new ReportingEnd(bytes.toByteArray(), afterStdin));
      }
      start.exec(output);
      if (!output.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        output.close();
        throw new IOException("exec in Docker container " + container.name() + " did not end "
            + "within " + timeout.toSeconds() + " s: " + String.join(" ", command));
      }
      Long exitCode = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
      return new AgentDelivery.ExecResult(exitCode == null ? -1 : exitCode.intValue(),
          output.stdout.toString(), output.stderr.toString());
    } catch (DockerException e) {
      // Not found, not running, engine errors: connection problems the session retries while
      // the container is live.
      throw new TransferFailedException("exec in Docker container " + container.name()
          + " failed: " + e.getMessage(), container.id(), container.platform().orElse(null),
          DockerExecTransport.class, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("exec in Docker container " + container.name()
          + " interrupted");
    } catch (RuntimeException e) {
      throw new IOException("exec in Docker container " + container.name() + " failed: " + e, e);
    }
  }

  /** Collects an exec's stdout and stderr. */
  private static final class Output extends ResultCallback.Adapter<Frame> {
    final StringBuilder stdout = new StringBuilder();
    final StringBuilder stderr = new StringBuilder();

    @Override
    public void onNext(Frame frame) {
      String text = new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8);
      synchronized (this) {
        (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).append(text);
      }
    }
  }

  /** Stdin whose end, once read, says the payload is sent. */
  private static final class ReportingEnd extends ByteArrayInputStream {
    private final Runnable atEnd;
    private boolean reported;

    ReportingEnd(byte[] bytes, Runnable atEnd) {
      super(bytes);
      this.atEnd = atEnd;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      if (n < 0 || available() == 0) {
        reportEnd();
      }
      return n;
    }

    @Override
    public synchronized int read() {
      int n = super.read();
      if (n < 0 || available() == 0) {
        reportEnd();
      }
      return n;
    }

    private void reportEnd() {
      if (!reported && atEnd != null) {
        reported = true;
        atEnd.run();
      }
    }
  }

  @Override
  public String toString() {
    return "DockerExecTransport" + (waitTcp != null ? "[wait " + waitTcp + "]" : "");
  }
}
