package dev.hotreload.k8s.exec;

import dev.hotreload.Artifact;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.watchexec.TarStreams;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed design's delivery, for containers supervised by {@code watchexec}: one exec of {@code
 * tar -x -f - -C /} whose stdin is a tar stream holding the binary under a temporary name and a
 * hard link at its ko path ({@link TarStreams}); watchexec sees the directory change and restarts
 * the app. Needs {@code tar} in the image (no shell). The restart itself is not observable from
 * here, so its time shows up in the READY phase of a readiness check.
 *
 * <p>Thread-safe. Not registered with {@code ServiceLoader}: choose it with {@code
 * .transport(new TarExecTransport())} for watchexec-mode deployments.
 */
public final class TarExecTransport implements Transport {
  private static final Pattern SHA256 = Pattern.compile("^([0-9a-f]{64})\\s");

  private final String directory;

  /** Delivers into {@code /ko-app}, where ko puts binaries. */
  public TarExecTransport() {
    this("/ko-app");
  }

  /**
   * Delivers into another directory of the container.
   *
   * @param directory an absolute directory
   */
  public TarExecTransport(String directory) {
    if (!directory.startsWith("/")) {
      throw new IllegalArgumentException("TarExecTransport directory '" + directory
          + "' must be absolute, like /ko-app");
    }
    this.directory = directory;
  }

  @Override
  public TransferResult transfer(TransferRequest request) throws IOException {
    PodContainer pod = PodContainer.of(request.destination(), TarExecTransport.class);
    Artifact artifact = request.artifact();
    AtomicLong written = new AtomicLong();
    PodExec.Result result = new PodExec(pod.client()).run(pod, TarStreams.EXTRACT_COMMAND,
        (OutputStream out) -> written.set(TarStreams.writeBinary(artifact, directory, out)),
        () -> request.progress().sent(written.get()), request.timeout());
    // tar exits 0 on a stream cut between its two entries: only a whole stream counts.
    // client-java loses the exit status when the websocket's close handshake fails after the
    // command ended (it overwrites it) — here on most tar execs. Then the container's own
    // sha256sum says whether the binary arrived whole; a cut stream is a connection failure
    // the session retries. Without sha256sum in the image a silent tar counts as delivered and
    // the readiness check confirms the restart.
    boolean statusLost = result.exitCode() == PodExec.CONNECTION_FAILED
        && result.stderr().isBlank() && written.get() > 0;
    if (statusLost) {
      Optional<String> installed = readBack(pod, artifact, request.timeout());
      if (installed.isPresent() && !installed.get().equals(artifact.sha256())) {
        throw new TransferFailedException("tar -x in " + pod.id() + " lost its exit status and "
            + "the binary there is not the one sent (sha256 " + installed.get().substring(0, 12)
            + "…, sent " + artifact.sha256().substring(0, 12) + "…): the stream was cut",
            pod.id(), artifact.platform(), TarExecTransport.class,
            new IOException("the tar stream to " + pod.id() + " was cut"));
      }
      return new TransferResult(written.get(), Duration.ZERO, "tar " + written.get()
          + " bytes (exit status lost with the connection; " + (installed.isPresent()
              ? "sha256 read back" : "not read back: no sha256sum in the image") + ")");
    }
    if (result.exitCode() != 0 || written.get() == 0) {
      throw new TransferFailedException("tar -x in " + pod.id() + " failed (exit "
          + result.exitCode() + "): " + result.stderr().strip()
          + (result.stderr().contains("not found") || result.stderr().contains("no such file")
              ? ". watchexec mode needs tar in the image; the agent mode does not" : "")
          + ". It keeps running its previous binary.",
          pod.id(), artifact.platform(), TarExecTransport.class, null);
    }
    return new TransferResult(written.get(), Duration.ZERO, "tar " + written.get() + " bytes");
  }

  /** The sha256 of the binary at its ko path, as the container's sha256sum says; empty if not. */
  private Optional<String> readBack(PodContainer pod, Artifact artifact, Duration timeout) {
    try {
      PodExec.Result sum = new PodExec(pod.client()).run(pod,
          List.of("sha256sum", directory + "/" + artifact.binaryName()), null, null, timeout);
      Matcher hex = SHA256.matcher(sum.stdout());
      return hex.find() ? Optional.of(hex.group(1)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "TarExecTransport[" + directory + "]";
  }
}
