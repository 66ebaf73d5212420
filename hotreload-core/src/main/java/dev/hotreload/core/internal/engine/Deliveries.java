package dev.hotreload.core.internal.engine;

import dev.hotreload.Artifact;
import dev.hotreload.HotReloadException;
import dev.hotreload.Phase;
import dev.hotreload.ReloadReport.Delivery;
import dev.hotreload.RestartFailedException;
import dev.hotreload.TransferFailedException;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends one artifact to several destinations in parallel and tells apart the moment every byte
 * is out (end of TRANSFER) from the moment every destination runs it (end of RESTART).
 */
final class Deliveries {

  /** How one destination's delivery ended. */
  record Result(Destination destination, TransferResult transfer, HotReloadException failure) {
    boolean succeeded() {
      return failure == null;
    }

    /**
     * Whether trying again may succeed: the bytes did not get through for a reason of the
     * connection (a broken exec, an API server away, a pod gone mid-transfer). A binary for the
     * wrong platform, a refusal by the agent and a binary that would not start are final.
     */
    boolean transientFailure() {
      return failure instanceof TransferFailedException && failure.getCause() != null;
    }

    Delivery toDelivery() {
      if (failure == null) {
        return new Delivery(destination.id(), true, transfer.bytesSent(), transfer.restart(),
            transfer.message());
      }
      return new Delivery(destination.id(), false, 0, Duration.ZERO, failure.getMessage());
    }
  }

  private final List<Destination> destinations;
  private final CountDownLatch allSent;
  private final AtomicLong bytesSent = new AtomicLong();
  private final List<Future<Result>> futures = new ArrayList<>();

  private Deliveries(List<Destination> destinations) {
    this.destinations = List.copyOf(destinations);
    this.allSent = new CountDownLatch(destinations.size());
  }

  static Deliveries start(
      ExecutorService executor, Transport transport, Artifact artifact,
      List<Destination> destinations, Duration timeout, TransferRequest.Order order) {
    Deliveries deliveries = new Deliveries(destinations);
    for (Destination destination : destinations) {
      deliveries.futures.add(executor.submit(
          () -> deliveries.deliver(transport, artifact, destination, timeout, order)));
    }
    return deliveries;
  }

  private Result deliver(Transport transport, Artifact artifact, Destination destination,
      Duration timeout, TransferRequest.Order order) {
    AtomicBoolean sent = new AtomicBoolean();
    TransferRequest.TransferProgress progress =
        bytes -> {
          if (sent.compareAndSet(false, true)) {
            bytesSent.addAndGet(bytes);
            allSent.countDown();
          }
        };
    try {
      refuseWrongPlatform(artifact, destination, transport);
      TransferResult result =
          transport.transfer(new TransferRequest(artifact, destination, timeout, progress, order));
      progress.sent(result.bytesSent());
      return new Result(destination, result, null);
    } catch (Throwable t) {
      boolean failedBeforeAllBytes = sent.compareAndSet(false, true);
      if (failedBeforeAllBytes) {
        allSent.countDown();
      }
      return new Result(destination, null, wrap(t, failedBeforeAllBytes, transport, artifact, destination));
    }
  }

  /** A binary for the wrong CPU dies with "exec format error": say so before sending it. */
  private static void refuseWrongPlatform(
      Artifact artifact, Destination destination, Transport transport) {
    destination.platform().ifPresent(runs -> {
      if (!artifact.platform().runsOn(runs)) {
        throw new TransferFailedException(
            "Built " + artifact.platform() + ", but " + destination.id() + " runs on " + runs
                + ": set .platform(\"" + runs + "\") so the binary can run there",
            destination.id(), artifact.platform(), transport.getClass(), null);
      }
    });
  }

  private static HotReloadException wrap(
      Throwable t, boolean beforeAllBytes, Transport transport, Artifact artifact,
      Destination destination) {
    if (t instanceof HotReloadException e) {
      return e;
    }
    String why = t.getMessage() == null ? t.toString() : t.getMessage();
    if (t instanceof InterruptedException || t instanceof InterruptedIOException) {
      why = "interrupted (session closing)";
    }
    if (beforeAllBytes) {
      return new TransferFailedException(
          "Sending " + artifact.binaryName() + " (" + artifact.platform() + ") to "
              + destination.id() + " failed: " + why + ". It keeps running its previous binary.",
          destination.id(), artifact.platform(), transport.getClass(), t);
    }
    return new RestartFailedException(
        destination.id() + " received " + artifact.binaryName() + " but did not restart: " + why,
        Phase.RESTART, destination.id(), artifact.platform(), transport.getClass(), t);
  }

  /** Blocks until every destination has its bytes or has failed before that. */
  void awaitAllSent() throws InterruptedException {
    allSent.await();
  }

  long bytesSent() {
    return bytesSent.get();
  }

  /** Blocks until every delivery has ended. */
  List<Result> awaitAll() throws InterruptedException {
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      try {
        results.add(futures.get(i).get());
      } catch (ExecutionException e) {
        throw new IllegalStateException("deliver() catches everything", e.getCause());
      }
    }
    return results;
  }

  void cancel() {
    futures.forEach(f -> f.cancel(true));
  }

  List<Destination> destinations() {
    return destinations;
  }
}
