package dev.hotreload.k8s;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.hotreload.Artifact;
import dev.hotreload.Phase;
import dev.hotreload.Platform;
import dev.hotreload.RestartFailedException;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.internal.AgentProtocol;
import dev.hotreload.core.internal.AgentProtocol.Encoding;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;

/**
 * Delivers a binary to the hotreload agent in a container: one exec of {@code agent install}
 * whose stdin carries the header and the binary; the agent verifies it, renames it into place,
 * restarts the app and answers with one JSON line. Needs no shell and no tar in the image; needs
 * only {@code pods/exec} permission.
 *
 * <p>Once a container runs a binary this transport delivered, the next one goes as a delta
 * against it (gzipped {@link dev.hotreload.core.internal.BinaryDelta} operations: about 2 % of
 * the hello example's binary after an edit). A container that runs something else — restarted
 * from its image, or reloaded by another client — refuses the delta before touching anything,
 * and the whole binary follows in the same transfer.
 *
 * <p>Thread-safe. A payload is encoded once and reused for every replica.
 */
public final class ExecTransport implements Transport {
  /** Where the agent lives in dev images. */
  public static final String AGENT_PATH = "/ko-app/hotreload-agent";
  /** The agent's state directory, an emptyDir mounted by the rewritten manifest. */
  public static final String AGENT_DIR = "/var/run/hotreload";

  private final Encoding encoding;
  private final String waitTcp;
  private final Cache<String, AgentProtocol.Payload> payloads =
      CacheBuilder.newBuilder().maximumSize(4).build();
  /** Which binary (sha256) each container runs, as far as this transport put it there. */
  private final Cache<String, String> delivered =
      CacheBuilder.newBuilder().maximumSize(10_000).build();
  /** The bytes of the binaries delivered last, by sha256: the bases of the next deltas. */
  private final Cache<String, byte[]> binaries = CacheBuilder.newBuilder().maximumSize(2).build();

  private ExecTransport(Encoding encoding, String waitTcp) {
    this.encoding = encoding;
    this.waitTcp = waitTcp;
  }

  /**
   * Deltas once a container runs a binary this transport sent; before that (a container's first
   * binary) gzip when the API server is remote and identity when it is on this machine, where
   * compressing costs more than it saves (measured on the local cluster: 8 MB hello, transfer
   * 271 ms identity vs 548 ms gzip). The ServiceLoader default.
   */
  public ExecTransport() {
    this(null, null);
  }

  /**
   * A transport that always sends the whole binary as it is (no delta), for measuring or for
   * agents older than the delta encoding.
   *
   * @return the transport
   */
  public static ExecTransport identity() {
    return new ExecTransport(Encoding.IDENTITY, null);
  }

  /**
   * A transport that always sends the whole binary gzipped (about half the bytes for Go
   * binaries; no delta).
   *
   * @return the transport
   */
  public static ExecTransport gzip() {
    return new ExecTransport(Encoding.GZIP, null);
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
    return new ExecTransport(encoding, "127.0.0.1:" + port);
  }

  @Override
  public boolean supports(Target target, Platform platform) {
    return target instanceof KubernetesTarget;
  }

  @Override
  public TransferResult transfer(TransferRequest request) throws IOException {
    PodContainer pod = PodContainer.of(request.destination(), ExecTransport.class);
    Artifact artifact = request.artifact();
    long wireBytes = 0;
    String base = encoding == null ? delivered.getIfPresent(pod.id()) : null;
    byte[] baseBytes = base == null ? null : binaries.getIfPresent(base);
    if (baseBytes != null) {
      AgentProtocol.Payload delta = deltaPayload(artifact, base, baseBytes);
      AgentProtocol.InstallResult answer = install(pod, request, delta);
      wireBytes += delta.wireBytes();
      // A refused delta (another binary runs there, or the rebuilt bytes did not check out)
      // changed nothing in the pod: the whole binary follows in the same transfer.
      if (answer.ok() || answer.exitCode() != null || answer.rolledBack()) {
        return finish(pod, artifact, answer, wireBytes);
      }
    }
    AgentProtocol.Payload payload = payload(artifact, encodingFor(pod));
    AgentProtocol.InstallResult answer = install(pod, request, payload);
    return finish(pod, artifact, answer, wireBytes + payload.wireBytes());
  }

  private AgentProtocol.InstallResult install(PodContainer pod, TransferRequest request,
      AgentProtocol.Payload payload) throws IOException {
    // No fsync: the agent rebuilds its directory at every container start, so a binary that
    // is lost to a crash of the node is re-sent anyway; fsync costs 30-40 ms per 10 MB.
    List<String> command = new ArrayList<>(List.of(AGENT_PATH, "install", "--dir", AGENT_DIR,
        "--timeout", Math.max(1, request.timeout().toSeconds()) + "s", "--fsync=false"));
    // Waiting for the port is both faster and stricter than the agent's fixed settle time.
    String wait = waitTcp != null ? waitTcp
        : pod.appPort().map(port -> "127.0.0.1:" + port).orElse(null);
    if (wait != null) {
      command.add("--wait-tcp");
      command.add(wait);
    }
    PodExec.Result result = new PodExec(pod.client()).run(pod, command, payload::writeTo,
        () -> request.progress().sent(payload.wireBytes()), request.timeout());
    return AgentProtocol.parseResult(result.stdout())
        .orElseThrow(() -> new TransferFailedException(
            pod.id() + " did not answer like a hotreload agent (exit " + result.exitCode() + "): "
                + firstLine(result.stderr() + result.stdout())
                + ". Is the pod running the dev image with the rewritten command "
                + "(" + AGENT_PATH + " run -- …)?",
            pod.id(), request.artifact().platform(), ExecTransport.class, null));
  }

  private TransferResult finish(PodContainer pod, Artifact artifact,
      AgentProtocol.InstallResult answer, long wireBytes) throws IOException {
    if (answer.ok()) {
      // The base of the next delta to this container: what it runs now.
      binaries.put(artifact.sha256(), bytesOf(artifact));
      delivered.put(pod.id(), artifact.sha256());
      return new TransferResult(wireBytes, Duration.ofMillis(answer.restartMillis()),
          "pid " + answer.pid());
    }
    delivered.invalidate(pod.id());
    if (answer.exitCode() != null || answer.rolledBack()) {
      throw new RestartFailedException(pod.id() + " refused to start the new binary: "
          + answer.error() + (answer.rolledBack() ? " (rolled back to the previous binary)" : "")
          + (answer.output().isBlank() ? "" : "\n" + answer.output().strip()),
          Phase.RESTART, pod.id(), artifact.platform(), ExecTransport.class, null);
    }
    throw new TransferFailedException(pod.id() + " refused the binary: " + answer.error()
        + ". It keeps running its previous binary.", pod.id(), artifact.platform(),
        ExecTransport.class, null);
  }

  private byte[] bytesOf(Artifact artifact) throws IOException {
    byte[] bytes = binaries.getIfPresent(artifact.sha256());
    if (bytes == null) {
      bytes = Files.readAllBytes(artifact.path());
      if (bytes.length != artifact.size()) {
        throw new IOException(artifact.path() + " changed while it was being delivered");
      }
    }
    return bytes;
  }

  private AgentProtocol.Payload deltaPayload(Artifact artifact, String base, byte[] baseBytes)
      throws IOException {
    try {
      // Replicas that run the same binary share one delta.
      return payloads.get(artifact.sha256() + "/delta/" + base,
          () -> AgentProtocol.deltaPayload(artifact, baseBytes, base));
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private Encoding encodingFor(PodContainer pod) {
    if (encoding != null) {
      return encoding;
    }
    String host = java.net.URI.create(pod.client().getBasePath()).getHost();
    boolean local = host == null || host.equals("localhost") || host.startsWith("127.")
        || host.equals("::1") || host.equals("[::1]");
    return local ? Encoding.IDENTITY : Encoding.GZIP;
  }

  private AgentProtocol.Payload payload(Artifact artifact, Encoding encoding) throws IOException {
    try {
      return payloads.get(artifact.sha256() + "/" + encoding,
          () -> AgentProtocol.payload(artifact, encoding));
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private static String firstLine(String text) {
    String trimmed = Objects.requireNonNullElse(text, "").strip();
    int newline = trimmed.indexOf('\n');
    return trimmed.isEmpty() ? "no output" : newline < 0 ? trimmed : trimmed.substring(0, newline);
  }

  @Override
  public String toString() {
    return "ExecTransport[" + (encoding == null ? "auto" : encoding.wireName()) + (waitTcp != null ? ", wait " + waitTcp : "")
        + "]";
  }
}
