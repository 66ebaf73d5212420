package dev.hotreload.k8s.exec;

import dev.hotreload.TransferFailedException;
import dev.hotreload.core.agent.AgentChannels;
import dev.hotreload.core.agent.AgentDelivery;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentProtocol;
import dev.hotreload.core.agent.AgentProtocol.Encoding;
import dev.hotreload.k8s.pod.ExecOpening;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import dev.hotreload.spi.DataRequest;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Delivers a binary to the hotreload agent in a container: one exec of {@code agent install}
 * whose stdin carries the header and the binary; the agent verifies it, renames it into place,
 * restarts the app and answers with one JSON line. Needs no shell and no tar in the image; needs
 * only {@code pods/exec} permission.
 *
 * <p>Once a container runs a binary this transport delivered, the next one goes as a delta
 * against it (gzipped {@link dev.hotreload.core.agent.BinaryDelta} operations: about 2 % of
 * the hello example's binary after an edit). A container that runs something else — restarted
 * from its image, or reloaded by another client — refuses the delta before touching anything,
 * and the whole binary follows in the same transfer.
 *
 * <p>After a container's first binary, the transport keeps one exec of {@code agent install
 * --stream} open to it and sends later binaries through it, so a reload does not pay for a new
 * exec (the API server, the kubelet and the runtime starting a process: about 100 ms on the
 * local cluster). A channel that broke is dropped and the reload goes through an exec of its own.
 *
 * <p>Thread-safe. A payload is encoded once and reused for every replica.
 */
public final class ExecTransport implements Transport, java.io.Closeable {

  private final Encoding encoding;
  private final String waitTcp;
  private final boolean persistent;
  private final AgentDelivery delivery;
  /** Per container, the long-lived exec the next reload goes through. */
  private final AgentChannels<AgentChannel> channels = new AgentChannels<>();

  private ExecTransport(Encoding encoding, String waitTcp, boolean persistent) {
    this.encoding = encoding;
    this.waitTcp = waitTcp;
    this.persistent = persistent;
    this.delivery = new AgentDelivery(encoding, ExecTransport.class);
  }

  /**
   * Deltas once a container runs a binary this transport sent; before that (a container's first
   * binary) gzip when the API server is remote and identity when it is on this machine, where
   * compressing costs more than it saves (measured on the local cluster: 8 MB hello, transfer
   * 271 ms identity vs 548 ms gzip). The ServiceLoader default.
   */
  public ExecTransport() {
    this(null, null, true);
  }

  /**
   * A transport that always sends the whole binary as it is (no delta), for measuring or for
   * agents older than the delta encoding.
   *
   * @return the transport
   */
  public static ExecTransport identity() {
    return new ExecTransport(Encoding.IDENTITY, null, true);
  }

  /**
   * A transport that always sends the whole binary gzipped (about half the bytes for Go
   * binaries; no delta).
   *
   * @return the transport
   */
  public static ExecTransport gzip() {
    return new ExecTransport(Encoding.GZIP, null, true);
  }

  /**
   * The same transport, with the agent waiting inside the container until this port accepts
   * connections before it reports the restart done. Without it the container's first declared
   * port is used, and without one the agent waits a fixed 200 ms to catch a crash at start.
   *
   * @param port the app's port
   * @return a new transport
   */
  public ExecTransport waitForPort(int port) {
    return new ExecTransport(encoding, "127.0.0.1:" + port, persistent);
  }

  /**
   * The same transport, with one exec per reload instead of a long-lived one per container:
   * slower (the exec costs about 100 ms on a local cluster), for API servers or proxies that cut
   * long-lived exec streams.
   *
   * @return a new transport
   */
  public ExecTransport oneExecPerReload() {
    return new ExecTransport(encoding, waitTcp, false);
  }

  @Override
  public TransferResult transfer(TransferRequest request) throws IOException {
    PodContainer pod = PodContainer.of(request.destination(), ExecTransport.class);
    try {
      return delivery.deliver(new PodConnection(pod), request);
    } catch (ExecOpening.Forbidden e) {
      // Final, not a connection problem to retry: the session reports it once.
      throw new TransferFailedException(e.getMessage(), request.destination().id(),
          request.artifact().platform(), ExecTransport.class, null);
    }
  }

  @Override
  public boolean transfersData() {
    return true;
  }

  @Override
  public TransferResult transferData(DataRequest request) throws IOException {
    PodContainer pod = PodContainer.of(request.destination(), ExecTransport.class);
    return delivery.deliverData(new PodConnection(pod), request);
  }

  /** The agent in one container, reached through execs and the container's open channel. */
  private final class PodConnection implements AgentDelivery.Connection {
    private final PodContainer pod;

    PodConnection(PodContainer pod) {
      this.pod = pod;
    }

    @Override
    public String id() {
      return pod.id();
    }

    @Override
    public String agentDirectory() {
      return pod.agentDirectory().orElse(AgentLayout.STATE_DIRECTORY);
    }

    @Override
    public Optional<String> waitAddress() {
      // Waiting for the port is both faster and stricter than the agent's fixed settle time.
      return waitTcp != null ? Optional.of(waitTcp)
          : pod.appPort().map(port -> "127.0.0.1:" + port);
    }

    @Override
    public Encoding wholeEncoding() {
      return AgentDelivery.wholeEncodingFor(URI.create(pod.client().getBasePath()).getHost());
    }

    @Override
    public AgentDelivery.ExecResult run(List<String> command, AgentDelivery.Stdin stdin,
        Runnable afterStdin, Duration timeout) throws IOException {
      PodExec.Result result = new PodExec(pod.client()).run(pod, command,
          stdin == null ? null : stdin::writeTo, afterStdin, timeout);
      return new AgentDelivery.ExecResult(result.exitCode(), result.stdout(), result.stderr());
    }

    @Override
    public Optional<AgentProtocol.InstallResult> installOverChannel(
        AgentProtocol.Payload payload, Runnable sent, Duration timeout) throws IOException {
      return channels.install(pod.id(), payload, sent, timeout);
    }

    @Override
    public void delivered(Duration timeout) {
      if (persistent) {
        List<String> command = AgentLayout.installCommand(agentDirectory(), timeout,
            waitAddress(), true);
        channels.keepOpen(pod.id(), () -> AgentChannel.open(pod, command));
      }
    }
  }

  /** Ends the open channels; later reloads open new ones. */
  @Override
  public void close() {
    channels.close();
  }

  @Override
  public String toString() {
    return "ExecTransport[" + (encoding == null ? "auto" : encoding.wireName())
        + (waitTcp != null ? ", wait " + waitTcp : "") + (persistent ? "" : ", one exec per reload")
        + "]";
  }
}
