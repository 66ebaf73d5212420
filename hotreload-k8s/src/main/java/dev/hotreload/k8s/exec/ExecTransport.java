package dev.hotreload.k8s.exec;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.hotreload.Artifact;
import dev.hotreload.Phase;
import dev.hotreload.RestartFailedException;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentProtocol.Encoding;
import dev.hotreload.core.agent.AgentProtocol;
import dev.hotreload.k8s.pod.ExecOpening;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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

  private static final ExecutorService OPENER = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "hotreload-channel-open");
    thread.setDaemon(true);
    return thread;
  });

  private final Encoding encoding;
  private final String waitTcp;
  private final boolean persistent;
  /** Per container, the long-lived exec the next reload goes through. */
  private final Map<String, CompletableFuture<AgentChannel>> channels = new ConcurrentHashMap<>();
  private final Cache<String, AgentProtocol.Payload> payloads =
      CacheBuilder.newBuilder().maximumSize(4).build();
  /** Which binary (sha256) each container runs, as far as this transport put it there. */
  private final Cache<String, String> delivered =
      CacheBuilder.newBuilder().maximumSize(10_000).build();
  /** The bytes of the binaries delivered last, by sha256: the bases of the next deltas. */
  private final Cache<String, byte[]> binaries = CacheBuilder.newBuilder().maximumSize(3).build();
  /**
   * The first build this transport found running or delivered: what new pods of the dev image
   * run, so their first delivery can be a delta against it. Kept apart from the cache above.
   */
  private final java.util.concurrent.atomic.AtomicReference<String> started =
      new java.util.concurrent.atomic.AtomicReference<>();
  private volatile byte[] startedBytes;

  private ExecTransport(Encoding encoding, String waitTcp, boolean persistent) {
    this.encoding = encoding;
    this.waitTcp = waitTcp;
    this.persistent = persistent;
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
    try {
      return deliver(request);
    } catch (ExecOpening.Forbidden e) {
      // Final, not a connection problem to retry: the session reports it once.
      throw new TransferFailedException(e.getMessage(), request.destination().id(),
          request.artifact().platform(), ExecTransport.class, null);
    }
  }

  private TransferResult deliver(TransferRequest request) throws IOException {
    PodContainer pod = PodContainer.of(request.destination(), ExecTransport.class);
    Artifact artifact = request.artifact();
    long wireBytes = 0;
    String base = encoding == null ? delivered.getIfPresent(pod.id()) : null;
    if (base == null && encoding == null) {
      // First contact with this container: it may run this very build already (a dev image
      // the same build made), or a binary this transport has the bytes of (a new pod of that
      // image after some edits), and then nothing, or a delta, is all it needs.
      Optional<String> running = runningSha256(pod, request.timeout());
      if (running.filter(artifact.sha256()::equals).isPresent()) {
        request.progress().sent(0);
        binaries.put(artifact.sha256(), bytesOf(artifact));
        delivered.put(pod.id(), artifact.sha256());
        rememberStarted(artifact);
        keepChannelOpen(pod, request.timeout());
        return new TransferResult(0, Duration.ZERO, "already runs this build");
      }
      base = running.orElse(null);
    }
    byte[] baseBytes = base == null ? null
        : base.equals(started.get()) ? startedBytes : binaries.getIfPresent(base);
    if (baseBytes != null) {
      AgentProtocol.Payload delta = deltaPayload(artifact, base, baseBytes, request.order());
      Answer answer = install(pod, request, delta);
      wireBytes += delta.wireBytes();
      // A refused delta (another binary runs there, or the rebuilt bytes did not check out)
      // changed nothing in the pod: the whole binary follows in the same transfer.
      AgentProtocol.InstallResult result = answer.result();
      if (result.ok() || result.stale() || result.notReady() || result.exitCode() != null
          || result.rolledBack()) {
        return finish(pod, artifact, answer, wireBytes, request.timeout());
      }
    }
    AgentProtocol.Payload payload = payload(artifact, encodingFor(pod), request.order());
    Answer answer = install(pod, request, payload);
    return finish(pod, artifact, answer, wireBytes + payload.wireBytes(), request.timeout());
  }

  /** What the agent answered, and whether it came over the container's open channel. */
  private record Answer(AgentProtocol.InstallResult result, boolean overChannel) {}

  private Answer install(PodContainer pod, TransferRequest request,
      AgentProtocol.Payload payload) throws IOException {
    Runnable sent = () -> request.progress().sent(payload.wireBytes());
    AgentChannel channel = usableChannel(pod);
    if (channel != null) {
      try {
        return new Answer(channel.install(payload, sent, request.timeout()), true);
      } catch (IOException e) {
        // The channel died with its pod or its stream: one exec of its own still can get in.
        channels.remove(pod.id());
      }
    }
    List<String> command = command(pod, request.timeout(), false);
    PodExec.Result result = new PodExec(pod.client()).run(pod, command, payload::writeTo, sent,
        request.timeout());
    return new Answer(AgentProtocol.parseResult(result.stdout())
        .orElseThrow(() -> new TransferFailedException(
            pod.id() + " did not answer like a hotreload agent (exit " + result.exitCode() + "): "
                + firstLine(result.stderr() + result.stdout())
                + ". Is the pod running the dev image with the rewritten command "
                + "(" + AgentLayout.PATH + " run -- …)?",
            pod.id(), request.artifact().platform(), ExecTransport.class, null)), false);
  }

  private List<String> command(PodContainer pod, Duration timeout, boolean stream) {
    // Waiting for the port is both faster and stricter than the agent's fixed settle time.
    Optional<String> wait = waitTcp != null ? Optional.of(waitTcp)
        : pod.appPort().map(port -> "127.0.0.1:" + port);
    return AgentLayout.installCommand(pod.agentDirectory().orElse(AgentLayout.STATE_DIRECTORY),
        timeout, wait, stream);
  }

  private AgentChannel usableChannel(PodContainer pod) {
    CompletableFuture<AgentChannel> opening = channels.get(pod.id());
    if (opening == null || !opening.isDone() || opening.isCompletedExceptionally()) {
      return null; // still opening: this reload does not wait for it
    }
    AgentChannel channel = opening.join();
    if (!channel.usable()) {
      channels.remove(pod.id(), opening);
      channel.close();
      return null;
    }
    return channel;
  }

  /** Opens a channel to the container in the background, for its next reload. */
  private void keepChannelOpen(PodContainer pod, Duration timeout) {
    if (!persistent) {
      return;
    }
    channels.compute(pod.id(), (id, existing) -> {
      if (existing != null && (!existing.isDone()
          || (!existing.isCompletedExceptionally() && existing.join().usable()))) {
        return existing;
      }
      List<String> command = command(pod, timeout, true);
      return CompletableFuture.supplyAsync(() -> {
        try {
          return AgentChannel.open(pod, command);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, OPENER);
    });
  }

  /** Ends the open channels; later reloads open new ones. */
  @Override
  public void close() {
    List.copyOf(channels.values()).forEach(opening -> opening.thenAccept(AgentChannel::close));
    channels.clear();
  }

  private TransferResult finish(PodContainer pod, Artifact artifact, Answer reply,
      long wireBytes, Duration timeout) throws IOException {
    AgentProtocol.InstallResult answer = reply.result();
    if (answer.ok() || answer.notReady()) {
      keepChannelOpen(pod, timeout);
      // The base of the next delta to this container: what it runs now.
      binaries.put(artifact.sha256(), bytesOf(artifact));
      delivered.put(pod.id(), artifact.sha256());
      rememberStarted(artifact);
      return new TransferResult(wireBytes, Duration.ofMillis(answer.restartMillis()),
          "pid " + answer.pid() + (reply.overChannel() ? ", over the open exec" : "")
              + (answer.notReady() ? "; runs the new binary, but: " + answer.error() : ""));
    }
    delivered.invalidate(pod.id());
    if (answer.stale()) {
      // A newer build of this session got there first (a retry or a restarted container
      // overtook this one): the container is ahead, which is where it should be.
      return new TransferResult(wireBytes, Duration.ZERO, "kept a newer build: " + answer.error());
    }
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

  private void rememberStarted(Artifact artifact) throws IOException {
    if (started.get() == null) {
      byte[] bytes = bytesOf(artifact);
      if (started.compareAndSet(null, artifact.sha256())) {
        startedBytes = bytes;
      }
    }
  }

  /** What the container's agent says it runs; empty when it cannot say. */
  private Optional<String> runningSha256(PodContainer pod, Duration timeout) {
    try {
      PodExec.Result status = new PodExec(pod.client()).run(pod, List.of(AgentLayout.PATH,
          "status", "--dir", pod.agentDirectory().orElse(AgentLayout.STATE_DIRECTORY)), null,
          null, timeout);
      return AgentProtocol.runningSha256(status.stdout());
    } catch (IOException e) {
      return Optional.empty(); // the install that follows says what is wrong, if anything is
    }
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

  private AgentProtocol.Payload deltaPayload(Artifact artifact, String base, byte[] baseBytes,
      TransferRequest.Order order) throws IOException {
    try {
      // Replicas that run the same binary share one delta.
      return payloads.get(artifact.sha256() + "/delta/" + base + "/" + key(order),
          () -> AgentProtocol.deltaPayload(artifact, baseBytes, base, order));
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

  private AgentProtocol.Payload payload(Artifact artifact, Encoding encoding,
      TransferRequest.Order order) throws IOException {
    try {
      return payloads.get(artifact.sha256() + "/" + encoding + "/" + key(order),
          () -> AgentProtocol.payload(artifact, encoding, order));
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private static String key(TransferRequest.Order order) {
    return order.session() + "#" + order.generation();
  }

  private static String firstLine(String text) {
    String trimmed = Objects.requireNonNullElse(text, "").strip();
    int newline = trimmed.indexOf('\n');
    return trimmed.isEmpty() ? "no output" : newline < 0 ? trimmed : trimmed.substring(0, newline);
  }

  @Override
  public String toString() {
    return "ExecTransport[" + (encoding == null ? "auto" : encoding.wireName())
        + (waitTcp != null ? ", wait " + waitTcp : "") + (persistent ? "" : ", one exec per reload")
        + "]";
  }
}
