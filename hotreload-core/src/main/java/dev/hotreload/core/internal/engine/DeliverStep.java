package dev.hotreload.core.internal.engine;

import dev.hotreload.Artifact;
import dev.hotreload.HotReloadException;
import dev.hotreload.Phase;
import dev.hotreload.ReloadCanceledException;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.TransferFailedException;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TransferRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * The TRANSFER and RESTART phases: the artifact goes to every destination in parallel; the
 * transfer ends when every byte is out, the restart when every destination runs the binary.
 */
final class DeliverStep {
  private final EngineConfig config;
  private final ExecutorService workers;
  private final String session;

  DeliverStep(EngineConfig config, ExecutorService workers, String session) {
    this.config = config;
    this.workers = workers;
    this.session = session;
  }

  void run(ReloadRun run, PhaseTimer timer, ReportBuilder report, Artifact artifact,
      List<Destination> destinations) throws ReloadFailure {
    PhaseTimer.Lap transfer =
        timer.start(Phase.TRANSFER, l -> l.transferStart(run.reload, destinations));
    Deliveries deliveries = Deliveries.start(workers, config.transport(), artifact, destinations,
        config.transferTimeout(), new TransferRequest.Order(session, run.generation));
    List<Deliveries.Result> results;
    Instant sentAt;
    try {
      deliveries.awaitAllSent();
      sentAt = timer.now();
      transfer.record(Duration.between(transfer.started(), sentAt));
      results = deliveries.awaitAll();
    } catch (InterruptedException e) {
      deliveries.cancel();
      Thread.currentThread().interrupt();
      ReloadCanceledException canceled =
          new ReloadCanceledException("Session closed during delivery", Phase.TRANSFER);
      throw transfer.cut(canceled, new ReloadFailure(canceled, Outcome.CANCELLED));
    }
    run.results = List.copyOf(results);
    for (Deliveries.Result r : results) {
      report.delivery(r.toDelivery(), artifact.size());
    }
    Optional<HotReloadException> transferFailure = results.stream()
        .map(Deliveries.Result::failure).filter(TransferFailedException.class::isInstance)
        .findFirst();
    if (transferFailure.isPresent()) {
      throw transfer.cut(transferFailure.get(), ReloadFailure.failed(transferFailure.get()));
    }
    transfer.ended(l -> l.transferEnd(run.reload, deliveries.bytesSent()));
    PhaseTimer.Lap restart = timer.start(Phase.RESTART, l -> l.restartStart(run.reload));
    splitTransferAndRestart(transfer, restart, results, sentAt, timer.now());
    Optional<HotReloadException> restartFailure =
        results.stream().filter(r -> !r.succeeded()).map(Deliveries.Result::failure).findFirst();
    if (restartFailure.isPresent()) {
      throw restart.cut(restartFailure.get(), ReloadFailure.failed(restartFailure.get()));
    }
    restart.ended(l -> l.restartEnd(run.reload));
  }

  /**
   * The moment the last byte was written is the end of the transfer only when the link pushes
   * back; a fast local buffer (a proxy, a large socket buffer) makes writing look instant and
   * charges the whole transfer to the restart. So when the destinations measured their restart
   * themselves, the slowest one's restart is the restart phase and the rest is the transfer.
   */
  private static void splitTransferAndRestart(PhaseTimer.Lap transfer, PhaseTimer.Lap restart,
      List<Deliveries.Result> results, Instant sentAt, Instant end) {
    Instant start = transfer.started();
    Duration total = Duration.between(start, end);
    Duration measured = results.stream().filter(Deliveries.Result::succeeded)
        .map(r -> r.transfer().restart()).max(Duration::compareTo).orElse(Duration.ZERO);
    if (!measured.isZero() && !measured.isNegative() && measured.compareTo(total) < 0) {
      transfer.record(total.minus(measured));
      restart.record(measured);
    } else {
      transfer.record(Duration.between(start, sentAt));
      restart.record(Duration.between(sentAt, end));
    }
  }
}
