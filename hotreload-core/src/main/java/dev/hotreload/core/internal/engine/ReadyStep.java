package dev.hotreload.core.internal.engine;

import dev.hotreload.HotReloadException;
import dev.hotreload.Phase;
import dev.hotreload.ReloadCanceledException;
import dev.hotreload.RestartFailedException;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.ReadinessCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/** The READY phase: every restarted destination passes the readiness check, in parallel. */
final class ReadyStep {
  private final EngineConfig config;
  private final ReadinessCheck readiness;
  private final ExecutorService workers;

  ReadyStep(EngineConfig config, ReadinessCheck readiness, ExecutorService workers) {
    this.config = config;
    this.readiness = readiness;
    this.workers = workers;
  }

  void run(ReloadRun run, PhaseTimer timer, List<Destination> destinations)
      throws ReloadFailure {
    PhaseTimer.Lap lap = timer.start(Phase.READY, l -> l.readyStart(run.reload));
    List<Future<?>> checks = new ArrayList<>();
    for (Destination d : destinations) {
      checks.add(workers.submit(() -> {
        readiness.await(d, config.readyTimeout());
        return null;
      }));
    }
    HotReloadException problem = null;
    for (int i = 0; i < checks.size(); i++) {
      try {
        checks.get(i).get();
      } catch (InterruptedException e) {
        checks.forEach(c -> c.cancel(true));
        Thread.currentThread().interrupt();
        problem = new ReloadCanceledException("Session closed while waiting for readiness",
            Phase.READY);
        break;
      } catch (ExecutionException e) {
        if (problem == null) {
          problem = notReady(destinations.get(i), e.getCause());
        }
      }
    }
    if (problem != null) {
      throw lap.fail(problem);
    }
    lap.end(l -> l.readyEnd(run.reload));
  }

  private RestartFailedException notReady(Destination destination, Throwable cause) {
    String why = cause instanceof TimeoutException
        ? "not ready within " + config.readyTimeout().toMillis() + " ms"
        : String.valueOf(cause.getMessage());
    return new RestartFailedException(destination.id() + " restarted but is not ready: " + why,
        Phase.READY, destination.id(), config.platform(), readiness.getClass(), cause);
  }
}
