package dev.hotreload.core.testing;

import dev.hotreload.Artifact;
import dev.hotreload.BuildFailedException;
import dev.hotreload.Diagnostic;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.BuildRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A builder that writes a small file whose content is the build's number, records each build,
 * and can be told to fail or to block until released, to test superseding.
 */
public final class RecordingArtifactBuilder implements ArtifactBuilder {
  private final Path directory;
  private final List<String> builds = new ArrayList<>();
  private final AtomicReference<String> failWith = new AtomicReference<>();
  private volatile Semaphore gate;
  private final CountDownLatch firstBlocked = new CountDownLatch(1);
  private int interrupted;

  /**
   * Writes artifacts into a directory.
   *
   * @param directory where artifacts go
   */
  public RecordingArtifactBuilder(Path directory) {
    this.directory = directory;
  }

  /**
   * Makes every following build fail with a compile error in main.go.
   *
   * @param message the compiler message, or null to succeed again
   */
  public void failWith(String message) {
    failWith.set(message);
  }

  /** Makes builds block until {@link #release()} is called, honouring interruption. */
  public void block() {
    gate = new Semaphore(0);
  }

  /** Lets one blocked build finish. */
  public void release() {
    gate.release();
  }

  /**
   * Waits until a build is blocked.
   *
   * @throws InterruptedException if interrupted
   */
  public void awaitBlocked() throws InterruptedException {
    if (!firstBlocked.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no build started");
    }
  }

  /**
   * Builds so far, as "#n ok" or "#n failed" or "#n interrupted".
   *
   * @return the record
   */
  public synchronized List<String> builds() {
    return List.copyOf(builds);
  }

  /**
   * How many builds were interrupted.
   *
   * @return the count
   */
  public synchronized int interrupted() {
    return interrupted;
  }

  @Override
  public Artifact build(BuildRequest request) throws IOException {
    int number;
    synchronized (this) {
      number = builds.size() + 1;
      builds.add("#" + number + " started");
    }
    Semaphore g = gate;
    if (g != null) {
      firstBlocked.countDown();
      try {
        g.acquire();
      } catch (InterruptedException e) {
        synchronized (this) {
          interrupted++;
          builds.set(number - 1, "#" + number + " interrupted");
        }
        throw new InterruptedIOException("build " + number + " interrupted");
      }
    }
    String failure = failWith.get();
    if (failure != null) {
      synchronized (this) {
        builds.set(number - 1, "#" + number + " failed");
      }
      Path file = request.workspace().resolve("main.go");
      throw new BuildFailedException("compile error: " + failure, request.platform(),
          RecordingArtifactBuilder.class, List.of(new Diagnostic(file, 3, 7, failure)), null);
    }
    byte[] content = ("build " + number).getBytes(StandardCharsets.UTF_8);
    Path file = directory.resolve("artifact-" + number);
    Files.write(file, content);
    synchronized (this) {
      builds.set(number - 1, "#" + number + " ok");
    }
    return new Artifact(file, sha256(content), content.length, request.platform(),
        "example.com/app");
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
