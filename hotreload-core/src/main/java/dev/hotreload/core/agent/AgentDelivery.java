package dev.hotreload.core.agent;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.hotreload.Artifact;
import dev.hotreload.Phase;
import dev.hotreload.RestartFailedException;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.agent.AgentProtocol.Encoding;
import dev.hotreload.spi.DataRequest;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How a binary reaches the hotreload agent in a container, whatever runs commands there
 * (Kubernetes exec, Docker exec): on first contact it asks the agent what it runs and sends
 * nothing when that is the build, a delta when this delivery knows the bytes of what runs there,
 * the whole binary otherwise; a delta the agent refuses (another binary runs there) is followed
 * by the whole binary in the same transfer. It turns the agent's answer into a {@link
 * TransferResult} or the exception the session reports.
 *
 * <p>A transport keeps one instance for all its containers: payloads are encoded once and reused
 * for every replica, and the bases of deltas are shared. Thread-safe.
 */
public final class AgentDelivery {

  /** One container whose agent this delivery reaches; made by the transport per transfer. */
  public interface Connection {
    /**
     * Names the container in messages and keys what this delivery remembers about it.
     *
     * @return an id unique to the container's incarnation
     */
    String id();

    /**
     * The agent's directory in the container.
     *
     * @return the path given to its {@code run --dir}
     */
    String agentDirectory();

    /**
     * The address the agent waits for after a restart before it answers.
     *
     * @return such as {@code 127.0.0.1:8080}; empty for the agent's fixed settle time
     */
    Optional<String> waitAddress();

    /**
     * How a whole binary travels when no delta is possible.
     *
     * @return identity for an engine on this machine, gzip for a remote one
     */
    Encoding wholeEncoding();

    /**
     * Runs a command in the container.
     *
     * @param command the command and its arguments
     * @param stdin writes the command's stdin, or null for none
     * @param afterStdin runs once stdin is written, or null
     * @param timeout the longest it may take
     * @return its exit status and output
     * @throws IOException if it cannot run or does not end in time
     */
    ExecResult run(List<String> command, Stdin stdin, Runnable afterStdin, Duration timeout)
        throws IOException;

    /**
     * Installs a payload over a channel kept open to the container, if there is one.
     *
     * @param payload what to install
     * @param sent runs once the payload is sent
     * @param timeout the longest it may take
     * @return the agent's answer; empty to install through {@link #run} instead
     * @throws IOException if the channel broke; the install then goes through {@link #run}
     */
    default Optional<AgentProtocol.InstallResult> installOverChannel(AgentProtocol.Payload payload,
        Runnable sent, Duration timeout) throws IOException {
      return Optional.empty();
    }

    /**
     * Told when the container runs the delivered build, for example to open a channel for the
     * next install.
     *
     * @param timeout the transfer's time limit
     */
    default void delivered(Duration timeout) {}
  }

  /** Writes a command's stdin. */
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

  /**
   * A command's outcome.
   *
   * @param exitCode its exit status (negative when unknown)
   * @param stdout what it printed on stdout
   * @param stderr what it printed on stderr
   */
  public record ExecResult(int exitCode, String stdout, String stderr) {}

  private final Encoding encoding;
  private final Class<?> transport;
  private final Cache<String, AgentProtocol.Payload> payloads =
      CacheBuilder.newBuilder().maximumSize(4).build();
  /** Which binary (sha256) each container runs, as far as this delivery put it there. */
  private final Cache<String, String> delivered =
      CacheBuilder.newBuilder().maximumSize(10_000).build();
  /** The bytes of the binaries delivered last, by sha256: the bases of the next deltas. */
  private final Cache<String, byte[]> binaries = CacheBuilder.newBuilder().maximumSize(3).build();
  /**
   * The first build found running or delivered: what new containers of the dev image run, so
   * their first delivery can be a delta against it. Kept apart from the cache above.
   */
  private final AtomicReference<String> started = new AtomicReference<>();
  private volatile byte[] startedBytes;

  /**
   * A delivery for one transport.
   *
   * @param encoding the encoding of every payload (no deltas), or null for deltas when possible
   *     and the connection's whole encoding otherwise
   * @param transport the transport, named in the exceptions it throws
   */
  public AgentDelivery(Encoding encoding, Class<?> transport) {
    this.encoding = encoding;
    this.transport = Objects.requireNonNull(transport, "transport");
  }

  /**
   * Delivers the request's binary to the container.
   *
   * @param container how to reach it
   * @param request what to deliver, with its order and time limit
   * @return what was sent and how the restart went
   * @throws RestartFailedException if the agent could not start the new binary (the previous
   *     one runs again)
   * @throws TransferFailedException if the agent refused the binary or did not answer like one
   * @throws IOException if the container could not be reached (a connection problem to retry)
   */
  public TransferResult deliver(Connection container, TransferRequest request)
      throws IOException {
    Artifact artifact = request.artifact();
    long wireBytes = 0;
    String base = encoding == null ? delivered.getIfPresent(container.id()) : null;
    if (base == null && encoding == null) {
      // First contact with this container: it may run this very build already (a dev image
      // the same build made), or a binary whose bytes are known here (a new container of that
      // image after some edits), and then nothing, or a delta, is all it needs.
      Optional<String> running = runningSha256(container, request.timeout());
      if (running.filter(artifact.sha256()::equals).isPresent()) {
        request.progress().sent(0);
        // The base of this container's first delta: indexed now, not when the first edit
        // waits for it.
        BinaryDelta.prepare(bytesOf(artifact));
        delivered.put(container.id(), artifact.sha256());
        rememberStarted(artifact);
        container.delivered(request.timeout());
        return new TransferResult(0, Duration.ZERO, "already runs this build");
      }
      base = running.orElse(null);
    }
    byte[] baseBytes = base == null ? null
        : base.equals(started.get()) ? startedBytes : binaries.getIfPresent(base);
    if (baseBytes != null) {
      long encodeStart = System.nanoTime();
      AgentProtocol.Payload delta = deltaPayload(artifact, base, baseBytes, request.order());
      long encoded = System.nanoTime();
      Answer answer = install(container, request, delta);
      answer = answer.timed(encoded - encodeStart, System.nanoTime() - encoded);
      wireBytes += delta.wireBytes();
      // A refused delta (another binary runs there, or the rebuilt bytes did not check out)
      // changed nothing in the container: the whole binary follows in the same transfer.
      AgentProtocol.InstallResult result = answer.result();
      if (result.ok() || result.stale() || result.notReady() || result.exitCode() != null
          || result.rolledBack()) {
        return finish(container, artifact, answer, wireBytes, request.timeout());
      }
    }
    Encoding whole = encoding != null ? encoding : container.wholeEncoding();
    AgentProtocol.Payload payload = payload(artifact, whole, request.order());
    Answer answer = install(container, request, payload);
    return finish(container, artifact, answer, wireBytes + payload.wireBytes(),
        request.timeout());
  }

  /**
   * Delivers a kodata directory: a tar of it replaces the agent's copy that the app reads
   * through {@code KO_DATA_PATH}, and the app restarts on it if asked; the binary stays.
   *
   * @param container how to reach it
   * @param request the directory and whether to restart
   * @return the tar's size and the restart time
   * @throws TransferFailedException if the agent refused it or did not answer like an agent
   * @throws IOException if the container could not be reached
   */
  public TransferResult deliverData(Connection container, DataRequest request)
      throws IOException {
    byte[] tar = KodataTar.of(request.directory());
    List<String> command = AgentLayout.kodataCommand(container.agentDirectory(),
        request.timeout(), container.waitAddress(), request.restart());
    ExecResult result = container.run(command, out -> out.write(tar), null, request.timeout());
    AgentProtocol.InstallResult answer = AgentProtocol.parseResult(result.stdout())
        .orElseThrow(() -> new TransferFailedException(container.id()
            + " did not answer like a hotreload agent with kodata support (exit "
            + result.exitCode() + "): " + firstLine(result.stderr() + result.stdout()),
            container.id(), null, transport, null));
    if (!answer.ok()) {
      throw new TransferFailedException(container.id() + " refused the kodata: "
          + answer.error(), container.id(), null, transport, null);
    }
    return new TransferResult(tar.length, Duration.ofMillis(answer.restartMillis()),
        "kodata " + tar.length + " bytes" + (request.restart() ? ", pid " + answer.pid() : ""));
  }

  /**
   * Forgets what a container runs, so its next delivery asks again.
   *
   * @param containerId the connection's id
   */
  public void forget(String containerId) {
    delivered.invalidate(containerId);
  }

  /**
   * What the agent answered, whether it came over the container's open channel, and for a delta
   * how long encoding it and the round trip took (nanoseconds, 0 when not measured).
   */
  private record Answer(AgentProtocol.InstallResult result, boolean overChannel, long encodeNanos,
      long roundTripNanos) {
    Answer(AgentProtocol.InstallResult result, boolean overChannel) {
      this(result, overChannel, 0, 0);
    }

    Answer timed(long encode, long roundTrip) {
      return new Answer(result, overChannel, encode, roundTrip);
    }

    /** Where a delta's time went: its encoding here, the agent's own time, the round trip. */
    String timings() {
      if (roundTripNanos == 0) {
        return "";
      }
      return String.format(java.util.Locale.ROOT, "; delta encoded in %d ms, agent %d ms of a "
          + "%d ms round trip", encodeNanos / 1_000_000, result.totalMillis(),
          roundTripNanos / 1_000_000);
    }
  }

  private Answer install(Connection container, TransferRequest request,
      AgentProtocol.Payload payload) throws IOException {
    Runnable sent = () -> request.progress().sent(payload.wireBytes());
    try {
      Optional<AgentProtocol.InstallResult> overChannel =
          container.installOverChannel(payload, sent, request.timeout());
      if (overChannel.isPresent()) {
        return new Answer(overChannel.get(), true);
      }
    } catch (IOException e) {
      // The channel died with its container or its stream: a command of its own still can get
      // in, and says what is wrong if nothing can.
    }
    List<String> command = AgentLayout.installCommand(container.agentDirectory(),
        request.timeout(), container.waitAddress(), false);
    ExecResult result = container.run(command, payload::writeTo, sent, request.timeout());
    return new Answer(AgentProtocol.parseResult(result.stdout())
        .orElseThrow(() -> new TransferFailedException(
            container.id() + " did not answer like a hotreload agent (exit " + result.exitCode()
                + "): " + firstLine(result.stderr() + result.stdout())
                + ". Is the container running the dev image with the agent's command "
                + "(" + AgentLayout.PATH + " run -- …)?",
            container.id(), request.artifact().platform(), transport, null)), false);
  }

  private TransferResult finish(Connection container, Artifact artifact, Answer reply,
      long wireBytes, Duration timeout) throws IOException {
    AgentProtocol.InstallResult answer = reply.result();
    if (answer.ok() || answer.notReady()) {
      // The base of the next delta to this container: what it runs now.
      BinaryDelta.prepare(bytesOf(artifact)); // bytesOf keeps them as the next delta's base
      delivered.put(container.id(), artifact.sha256());
      rememberStarted(artifact);
      container.delivered(timeout);
      return new TransferResult(wireBytes, Duration.ofMillis(answer.restartMillis()),
          "pid " + answer.pid() + (reply.overChannel() ? ", over the open exec" : "")
              + reply.timings()
              + (answer.notReady() ? "; runs the new binary, but: " + answer.error() : ""));
    }
    delivered.invalidate(container.id());
    if (answer.stale()) {
      // A newer build of this session got there first (a retry or a restarted container
      // overtook this one): the container is ahead, which is where it should be.
      return new TransferResult(wireBytes, Duration.ZERO, "kept a newer build: " + answer.error());
    }
    if (answer.exitCode() != null || answer.rolledBack()) {
      throw new RestartFailedException(container.id() + " refused to start the new binary: "
          + answer.error() + (answer.rolledBack() ? " (rolled back to the previous binary)" : "")
          + (answer.output().isBlank() ? "" : "\n" + answer.output().strip()),
          Phase.RESTART, container.id(), artifact.platform(), transport, null);
    }
    String refusal = container.id() + " refused the binary: " + answer.error()
        + ". It keeps running its previous binary.";
    // A full volume is a state of the container, not of the binary: with a cause, the session
    // counts it as transient and delivers again with backoff until there is room.
    throw new TransferFailedException(refusal + (answer.noSpace()
        ? " Its volume " + container.agentDirectory() + " is full; delivery is retried." : ""),
        container.id(), artifact.platform(), transport,
        answer.noSpace() ? new IOException("no space left on " + container.id()) : null);
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
  private static Optional<String> runningSha256(Connection container, Duration timeout) {
    try {
      ExecResult status = container.run(List.of(AgentLayout.PATH, "status", "--dir",
          container.agentDirectory()), null, null, timeout);
      return AgentProtocol.runningSha256(status.stdout());
    } catch (IOException e) {
      return Optional.empty(); // the install that follows says what is wrong, if anything is
    }
  }

  /** The artifact's bytes, read once: the delta and the next delta's base are the same bytes. */
  private byte[] bytesOf(Artifact artifact) throws IOException {
    byte[] bytes = binaries.getIfPresent(artifact.sha256());
    if (bytes == null) {
      bytes = Files.readAllBytes(artifact.path());
      if (bytes.length != artifact.size()) {
        throw new IOException(artifact.path() + " changed while it was being delivered");
      }
      binaries.put(artifact.sha256(), bytes);
    }
    return bytes;
  }

  private AgentProtocol.Payload deltaPayload(Artifact artifact, String base, byte[] baseBytes,
      TransferRequest.Order order) throws IOException {
    // Replicas that run the same binary share one delta.
    return cached(artifact.sha256() + "/delta/" + base + "/" + key(order),
        () -> AgentProtocol.deltaPayload(artifact, bytesOf(artifact), baseBytes, base, order));
  }

  private AgentProtocol.Payload payload(Artifact artifact, Encoding encoding,
      TransferRequest.Order order) throws IOException {
    return cached(artifact.sha256() + "/" + encoding + "/" + key(order),
        () -> AgentProtocol.payload(artifact, encoding, order));
  }

  private AgentProtocol.Payload cached(String key,
      java.util.concurrent.Callable<AgentProtocol.Payload> encode) throws IOException {
    try {
      return payloads.get(key, encode);
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

  /**
   * Whether an engine at this host is on this machine, where compressing a whole binary costs
   * more than it saves (measured on the local cluster: 8 MB hello, 271 ms identity vs 548 ms
   * gzip).
   *
   * @param host a host name or address, or null for a local socket
   * @return identity for this machine, gzip otherwise
   */
  public static Encoding wholeEncodingFor(String host) {
    boolean local = host == null || host.equals("localhost") || host.startsWith("127.")
        || host.equals("::1") || host.equals("[::1]");
    return local ? Encoding.IDENTITY : Encoding.GZIP;
  }
}
