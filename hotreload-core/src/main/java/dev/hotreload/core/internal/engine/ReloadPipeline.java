package dev.hotreload.core.internal.engine;

import dev.hotreload.Artifact;
import dev.hotreload.HotReloadException;
import dev.hotreload.LogEvent;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadCanceledException;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.ReloadReport;
import dev.hotreload.TransferFailedException;
import dev.hotreload.core.build.KoDataDirectory;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TargetHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Runs one reload on a worker thread as a sequence of steps, one per phase — build, deliver
 * (transfer and restart), ready — and turns how it ended into a {@link ReloadReport}.
 */
final class ReloadPipeline {
  private final EngineConfig config;
  private final ListenerDispatcher listeners;
  private final Supplier<TargetHandle> handle;
  private final ReloadHistory history;
  private final BuildStep build;
  private final DeliverStep deliver;
  private final ReadyStep ready;
  /** The main package's kodata/, when it has one and the transport can deliver it. */
  private final DataStep data;
  /** Whether the data changed since the image was built: new destinations get it too. */
  private volatile boolean dataChanged;

  ReloadPipeline(EngineConfig config, ListenerDispatcher listeners, ExecutorService workers,
      Supplier<TargetHandle> handle, ReloadHistory history, String session) {
    this.config = config;
    this.listeners = listeners;
    this.handle = handle;
    this.history = history;
    this.build = new BuildStep(config);
    this.deliver = new DeliverStep(config, workers, session);
    this.ready = config.readiness().map(r -> new ReadyStep(config, r, workers)).orElse(null);
    this.data = KoDataDirectory.of(config.workspace().toAbsolutePath(), config.mainPackage())
        .map(dir -> new DataStep(config, dir)).orElse(null);
  }

  /** Whether a reload's changes include files under the main package's kodata/. */
  private boolean touchesData(Reload reload) {
    return data != null && reload.changes().paths().stream()
        .anyMatch(p -> p.toAbsolutePath().startsWith(data.directory()));
  }

  /** Only kodata changed: deliver it everywhere, restart on it (or not), no build. */
  private Finished dataOnly(ReloadRun run, PhaseTimer timer, ReportBuilder report)
      throws ReloadFailure {
    if (data == null) {
      throw timer.start(Phase.TRANSFER, l -> { }).fail(new TransferFailedException(
          "kodata changed but " + config.mainPackage() + " has no kodata directory",
          config.target().toString(), config.platform(), config.transport().getClass(), null));
    }
    List<Destination> destinations = handle.get().destinations();
    if (!destinations.isEmpty()) {
      data.run(run, timer, report, destinations, config.kodataRestart());
      dataChanged = true;
      if (ready != null) {
        ready.run(run, timer, destinations);
      }
    }
    return finish(timer, report.outcome(Outcome.SUCCEEDED, null), null);
  }

  Finished execute(ReloadRun run) {
    run.started(Thread.currentThread());
    Reload reload = run.reload;
    ReloadListener listener = listeners.forReload(reload);
    Instant start = config.clock().instant();
    Instant since = run.detectedSince != null ? run.detectedSince : start;
    ReportBuilder report = new ReportBuilder(reload, since);
    PhaseTimer timer = new PhaseTimer(listeners, listener, reload, config.clock(), report);

    timer.emit(l -> l.reloadStart(reload));
    report.phase(Phase.CHANGE_DETECTED, Duration.between(since, start));
    timer.emit(l -> l.changesDetected(reload));
    try {
      if (reload.trigger() == Reload.Trigger.DATA_CHANGE) {
        return dataOnly(run, timer, report);
      }
      Artifact artifact = run.artifact;
      if (artifact == null) {
        artifact = build.run(run, timer, report);
      } else if (!run.enter(Phase.TRANSFER)) {
        throw stopped(run, timer, Phase.TRANSFER);
      }
      report.artifact(artifact);
      List<Destination> destinations = run.only != null ? run.only : handle.get().destinations();
      if (destinations.isEmpty()) {
        Artifact waiting = artifact;
        timer.emit(l -> l.log(LogEvent.warn("Target " + config.target()
            + " has no destination yet: " + waiting.binaryName()
            + " goes to the first one that appears")));
      } else {
        boolean withData = data != null && config.transport().transfersData()
            && touchesData(reload);
        if (withData) {
          // before the binary, whose restart then reads the new data
          data.run(run, timer, report, destinations, false);
          dataChanged = true;
        }
        deliver.run(run, timer, report, artifact, destinations);
        if (dataChanged && !withData && reload.trigger() == Reload.Trigger.TARGET_CHANGED
            && config.transport().transfersData()) {
          // a new destination started on the image's data
          data.run(run, timer, report, destinations, true);
        }
        if (ready != null) {
          ready.run(run, timer, destinations);
        }
      }
      return finish(timer, report.outcome(Outcome.SUCCEEDED, null), null);
    } catch (ReloadFailure f) {
      return finish(timer, report.outcome(f.outcome(), f.getMessage()), f.exception());
    }
  }

  /**
   * The failure of a run that was superseded or cancelled before or during {@code phase}; tells
   * the listener that the phase failed.
   */
  static ReloadFailure stopped(ReloadRun run, PhaseTimer timer, Phase phase) {
    Outcome outcome = run.stopOutcome();
    String why = outcome == Outcome.SUPERSEDED ? "superseded by newer changes" : "session closed";
    ReloadCanceledException e = new ReloadCanceledException(why, phase);
    timer.emit(l -> PhaseTimer.failed(l, phase, run.reload, e));
    return new ReloadFailure(e, outcome);
  }

  private Finished finish(PhaseTimer timer, ReportBuilder builder, HotReloadException e) {
    ReloadReport report = builder.build(config.clock().instant());
    if (report.succeeded()) {
      timer.emit(l -> l.reloadEnd(report.reload(), report));
    } else {
      timer.emit(l -> l.reloadFailed(report.reload(), report));
    }
    // Published after the listeners ran, so whoever awaits the report also sees their effects.
    history.add(report);
    return new Finished(report, e);
  }
}
