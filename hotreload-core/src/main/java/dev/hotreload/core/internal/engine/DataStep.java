package dev.hotreload.core.internal.engine;

import dev.hotreload.HotReloadException;
import dev.hotreload.Phase;
import dev.hotreload.ReloadReport;
import dev.hotreload.TransferFailedException;
import dev.hotreload.spi.DataRequest;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TransferResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Puts the main package's {@code kodata/} into every destination without a build: the agent
 * swaps in the new copy and, if asked, restarts the app on it. One destination after another;
 * the first failure ends the step (the others keep their data).
 */
final class DataStep {
  private final EngineConfig config;
  private final Path directory;

  Path directory() {
    return directory;
  }

  DataStep(EngineConfig config, Path directory) {
    this.config = config;
    this.directory = directory;
  }

  void run(ReloadRun run, PhaseTimer timer, ReportBuilder report, List<Destination> destinations,
      boolean restart) throws ReloadFailure {
    PhaseTimer.Lap transfer =
        timer.start(Phase.TRANSFER, l -> l.transferStart(run.reload, destinations));
    long bytes = 0;
    Duration restarts = Duration.ZERO;
    for (Destination destination : destinations) {
      try {
        TransferResult result = config.transport().transferData(
            new DataRequest(directory, destination, restart, config.transferTimeout()));
        bytes += result.bytesSent();
        restarts = restarts.compareTo(result.restart()) < 0 ? result.restart() : restarts;
        report.delivery(new ReloadReport.Delivery(destination.id(), true, result.bytesSent(),
            result.restart(), result.message()), result.bytesSent());
      } catch (IOException | HotReloadException e) {
        HotReloadException failure = e instanceof HotReloadException h ? h
            : new TransferFailedException("kodata to " + destination.id() + ": "
                + e.getMessage(), destination.id(), config.platform(),
                config.transport().getClass(), e);
        report.delivery(new ReloadReport.Delivery(destination.id(), false, 0, Duration.ZERO,
            failure.getMessage()), 0);
        throw transfer.fail(failure);
      }
    }
    Duration total = Duration.between(transfer.started(), timer.now());
    transfer.record(total.minus(restarts).isNegative() ? total : total.minus(restarts));
    long sent = bytes;
    transfer.ended(l -> l.transferEnd(run.reload, sent));
    if (restart) {
      PhaseTimer.Lap restartLap = timer.start(Phase.RESTART, l -> l.restartStart(run.reload));
      restartLap.record(restarts);
      restartLap.ended(l -> l.restartEnd(run.reload));
    }
  }
}
