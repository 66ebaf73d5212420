package dev.hotreload.core.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotreload.Artifact;
import dev.hotreload.spi.TransferRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The in-container agent's install protocol, as its README documents it: stdin carries one JSON
 * header line ({@code v, name, encoding, size, wireSize, sha256}) and then exactly {@code
 * wireSize} payload bytes; stdout answers with one JSON result line.
 *
 * <p>Every transport that reaches an agent (a local process, a Kubernetes exec) speaks it through
 * this class, so the bytes on the wire are the same everywhere. Thread-safe.
 */
public final class AgentProtocol {
  /** Below this a delta is encoded on the calling thread (1 MB takes about a millisecond). */
  private static final int PARALLEL_DELTA_MIN = 1 << 20;
  /** One thread per core, at most four. */
  private static final int DELTA_THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  private static final ExecutorService DELTA_WORKERS =
      Executors.newFixedThreadPool(DELTA_THREADS, r -> {
        Thread thread = new Thread(r, "hotreload-delta-encode");
        thread.setDaemon(true);
        return thread;
      });
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** How the payload is encoded on the wire. */
  public enum Encoding {
    /** The binary as it is. */
    IDENTITY("identity"),
    /** gzip at the fastest level: Go binaries shrink to about half for a few tens of ms. */
    GZIP("gzip"),
    /**
     * Gzipped {@link BinaryDelta} operations against the binary the agent runs: about 2 % of
     * the binary after a small edit. The agent refuses it with {@link
     * InstallResult#baseMismatch()} when it runs another binary.
     */
    DELTA("delta");

    private final String wireName;

    Encoding(String wireName) {
      this.wireName = wireName;
    }

    /**
     * The name in the header.
     *
     * @return for example {@code gzip}
     */
    public String wireName() {
      return wireName;
    }
  }

  /**
   * A payload ready to send: the header line and the bytes after it.
   *
   * @param header the JSON header line, newline included
   * @param payload the encoded bytes, or null to stream the artifact's file (identity)
   * @param artifact the binary
   * @param encoding how {@code payload} is encoded
   */
  public record Payload(byte[] header, byte[] payload, Artifact artifact, Encoding encoding) {
    /**
     * Bytes on the wire: header plus payload.
     *
     * @return the count
     */
    public long wireBytes() {
      return header.length + (payload != null ? payload.length : artifact.size());
    }

    /**
     * Writes header and payload.
     *
     * @param out the agent's stdin
     * @throws IOException if writing fails
     */
    public void writeTo(OutputStream out) throws IOException {
      if (payload != null) {
        // One write, one websocket message through an exec: sent after the header on its own,
        // the payload waited for the acknowledgement of the header's (40 ms, Nagle's algorithm).
        byte[] message = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, message, header.length, payload.length);
        out.write(message);
      } else {
        out.write(header);
        try (InputStream in = Files.newInputStream(artifact.path())) {
          in.transferTo(out);
        }
      }
      out.flush();
    }
  }

  /**
   * What {@code agent install} answered.
   *
   * @param ok whether the new binary runs
   * @param sha256 the checksum it verified
   * @param bytes payload bytes it read
   * @param size decoded size
   * @param pid the new process id
   * @param restartMillis from the restart request to the new process running
   * @param totalMillis the whole install inside the container
   * @param error the reason, when not ok
   * @param rolledBack whether the agent went back to the previous binary
   * @param exitCode the new binary's exit code, when it died at start
   * @param output the tail of its output, when it died at start
   * @param code a failure the client acts on: {@code base-mismatch} (send the whole binary),
   *     {@code stale} (a newer generation of the same session runs there), {@code not-ready}
   *     (installed and running, its port not open yet) or {@code no-space} (the agent's volume
   *     is full; the same install may get through once it has room); empty otherwise
   * @param currentSha256 with {@code base-mismatch}, the binary the agent runs
   */
  public record InstallResult(
      boolean ok, String sha256, long bytes, long size, long pid, long restartMillis,
      long totalMillis, String error, boolean rolledBack, Integer exitCode, String output,
      String code, String currentSha256) {
    /**
     * Whether a delta was refused because the agent runs another binary than its base: send
     * the whole binary instead. Nothing was installed or restarted.
     *
     * @return true for that refusal
     */
    public boolean baseMismatch() {
      return "base-mismatch".equals(code);
    }

    /**
     * Whether the agent refused the payload because it runs a newer generation of the same
     * session: nothing changed there, and nothing needs to.
     *
     * @return true for that refusal
     */
    public boolean stale() {
      return "stale".equals(code);
    }

    /**
     * Whether the new binary was installed and runs, but did not open its port in time: the
     * install took effect and must not be repeated.
     *
     * @return true for that answer
     */
    public boolean notReady() {
      return "not-ready".equals(code);
    }

    /**
     * Whether the agent's volume was full: nothing changed, and trying again later may succeed.
     *
     * @return true for that refusal
     */
    public boolean noSpace() {
      return "no-space".equals(code);
    }
  }

  private AgentProtocol() {}

  /**
   * Prepares an install payload.
   *
   * @param artifact the binary
   * @param encoding how to encode it
   * @return the header and bytes
   * @throws IOException if the binary cannot be read
   */
  public static Payload payload(Artifact artifact, Encoding encoding) throws IOException {
    return payload(artifact, encoding, TransferRequest.Order.NONE);
  }

  /**
   * Prepares an install payload that the agent orders against what it runs.
   *
   * @param artifact the binary
   * @param encoding how to encode it
   * @param order the artifact's session and generation
   * @return the header and bytes
   * @throws IOException if the binary cannot be read
   */
  public static Payload payload(Artifact artifact, Encoding encoding, TransferRequest.Order order)
      throws IOException {
    byte[] payload = null;
    long wireSize = artifact.size();
    if (encoding == Encoding.GZIP) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream((int) (artifact.size() / 2));
      try (OutputStream gzip = new FastGzip(buffer)) {
        Files.copy(artifact.path(), gzip);
      }
      payload = buffer.toByteArray();
      wireSize = payload.length;
    }
    if (encoding == Encoding.DELTA) {
      throw new IllegalArgumentException("a delta needs its base: use deltaPayload");
    }
    ObjectNode header = header(artifact, encoding, wireSize, order);
    byte[] line = (JSON.writeValueAsString(header) + "\n").getBytes(StandardCharsets.UTF_8);
    return new Payload(line, payload, artifact, encoding);
  }

  /**
   * Prepares a delta install payload: the operations that turn {@code base} into the artifact,
   * gzipped.
   *
   * @param artifact the new binary
   * @param base the bytes of the binary the agent runs
   * @param baseSha256 their sha256, which the agent checks before applying
   * @return the header and bytes
   * @throws IOException if the artifact cannot be read
   */
  public static Payload deltaPayload(Artifact artifact, byte[] base, String baseSha256)
      throws IOException {
    return deltaPayload(artifact, base, baseSha256, TransferRequest.Order.NONE);
  }

  /**
   * Prepares an ordered delta install payload.
   *
   * @param artifact the new binary
   * @param base the bytes of the binary the agent runs
   * @param baseSha256 their sha256, which the agent checks before applying
   * @param order the artifact's session and generation
   * @return the header and bytes
   * @throws IOException if the artifact cannot be read
   */
  public static Payload deltaPayload(Artifact artifact, byte[] base, String baseSha256,
      TransferRequest.Order order) throws IOException {
    return deltaPayload(artifact, Files.readAllBytes(artifact.path()), base, baseSha256, order);
  }

  /** {@link #deltaPayload(Artifact, byte[], String, TransferRequest.Order)} of bytes read. */
  static Payload deltaPayload(Artifact artifact, byte[] target, byte[] base, String baseSha256,
      TransferRequest.Order order) throws IOException {
    byte[] payload = gzippedDelta(base, target);
    ObjectNode header = header(artifact, Encoding.DELTA, payload.length, order);
    header.put("base", baseSha256);
    byte[] line = (JSON.writeValueAsString(header) + "\n").getBytes(StandardCharsets.UTF_8);
    return new Payload(line, payload, artifact, Encoding.DELTA);
  }

  /**
   * The delta's operations, gzipped, computed in pieces on every core: the ranges' operations
   * follow one another, each range its own gzip member (the agent's reader, like every gzip
   * reader, reads concatenated members as one stream). The build has just ended, so the cores
   * are free; four ranges per core even out ranges that changed more than others. Hello
   * example on 2 cores: 9.5-11 ms on one thread, 7.4-8.2 ms this way.
   */
  static byte[] gzippedDelta(byte[] base, byte[] target) throws IOException {
    if (target.length < PARALLEL_DELTA_MIN) {
      return gzip(BinaryDelta.encode(base, target));
    }
    int parts = 4 * DELTA_THREADS;
    List<CompletableFuture<byte[]>> pieces = new ArrayList<>();
    for (int part = 0; part < parts; part++) {
      int from = (int) ((long) target.length * part / parts);
      int to = (int) ((long) target.length * (part + 1) / parts);
      pieces.add(CompletableFuture.supplyAsync(
          () -> gzip(BinaryDelta.encode(base, target, from, to)), DELTA_WORKERS));
    }
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    for (CompletableFuture<byte[]> piece : pieces) {
      payload.write(piece.join());
    }
    return payload.toByteArray();
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(bytes.length / 2 + 64);
    try (OutputStream gzip = new FastGzip(buffer)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("gzip into memory", e);
    }
    return buffer.toByteArray();
  }

  private static ObjectNode header(Artifact artifact, Encoding encoding, long wireSize,
      TransferRequest.Order order) {
    ObjectNode header = JSON.createObjectNode();
    header.put("v", 1);
    header.put("name", artifact.binaryName());
    header.put("encoding", encoding.wireName());
    header.put("size", artifact.size());
    header.put("wireSize", wireSize);
    header.put("sha256", artifact.sha256());
    if (order.generation() > 0) {
      header.put("session", order.session());
      header.put("generation", order.generation());
    }
    return header;
  }

  /**
   * Reads the result line from what {@code agent install} printed on stdout.
   *
   * @param stdout everything it printed
   * @return the result, or empty if no line parses as a result (the agent was not reached)
   */
  public static Optional<InstallResult> parseResult(String stdout) {
    String[] lines = stdout.strip().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].strip();
      if (!line.startsWith("{")) {
        continue;
      }
      try {
        JsonNode node = JSON.readTree(line);
        if (!node.has("ok")) {
          continue;
        }
        return Optional.of(new InstallResult(
            node.path("ok").asBoolean(),
            node.path("sha256").asText(""),
            node.path("bytes").asLong(),
            node.path("size").asLong(),
            node.path("pid").asLong(),
            node.path("restartMillis").asLong(),
            node.path("totalMillis").asLong(),
            node.path("error").asText(""),
            node.path("rolledBack").asBoolean(),
            node.hasNonNull("exitCode") ? node.get("exitCode").asInt() : null,
            node.path("output").asText(""),
            node.path("code").asText(""),
            node.path("currentSha256").asText("")));
      } catch (IOException e) {
        // not JSON: keep looking
      }
    }
    return Optional.empty();
  }

  /**
   * The sha256 of the binary the app runs, from what {@code agent status} printed.
   *
   * @param statusJson the status line
   * @return the hex checksum, empty if the status names none (no supervisor, an error)
   */
  public static Optional<String> runningSha256(String statusJson) {
    for (String line : statusJson.strip().split("\n")) {
      try {
        JsonNode node = JSON.readTree(line.strip());
        if (node != null && node.hasNonNull("sha256") && !node.hasNonNull("error")
            && node.path("sha256").asText().matches("[0-9a-f]{64}")) {
          return Optional.of(node.path("sha256").asText());
        }
      } catch (IOException e) {
        // not JSON: keep looking
      }
    }
    return Optional.empty();
  }

  /**
   * Why the binary the app runs is the one before the last install, from what {@code agent
   * status} printed: the installed one crashed soon after it was ready and the agent rolled it
   * back.
   *
   * @param statusJson the status line
   * @return the agent's account, empty when the last install still runs (or no status)
   */
  public static Optional<String> rolledBack(String statusJson) {
    for (String line : statusJson.strip().split("\n")) {
      try {
        JsonNode node = JSON.readTree(line.strip());
        if (node != null && node.hasNonNull("sha256")) {
          String why = node.path("rolledBack").asText("");
          return why.isEmpty() ? Optional.empty() : Optional.of(why);
        }
      } catch (IOException e) {
        // not JSON: keep looking
      }
    }
    return Optional.empty();
  }

  /** gzip at level 1: the transfer is the bottleneck only on slow links, CPU always is. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 64 * 1024);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
