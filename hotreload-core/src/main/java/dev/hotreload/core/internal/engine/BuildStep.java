package dev.hotreload.core.internal.engine;

import dev.hotreload.Artifact;
import dev.hotreload.BuildFailedException;
import dev.hotreload.Phase;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;

/** The BUILD phase: the builder turns the workspace into an artifact, or says why not. */
final class BuildStep {
  private final EngineConfig config;

  BuildStep(EngineConfig config) {
    this.config = config;
  }

  Artifact run(ReloadRun run, PhaseTimer timer, ReportBuilder report) throws ReloadFailure {
    if (!run.enter(Phase.BUILD)) {
      throw ReloadPipeline.stopped(run, timer, Phase.BUILD);
    }
    PhaseTimer.Lap lap = timer.start(Phase.BUILD, l -> l.buildStart(run.reload));
    Artifact artifact;
    try {
      artifact = config.builder().build(config.buildRequest());
    } catch (BuildFailedException e) {
      if (run.stopped()) {
        throw ReloadPipeline.stopped(run, timer, Phase.BUILD);
      }
      report.diagnostics(e.getDiagnostics());
      throw lap.fail(e);
    } catch (InterruptedIOException e) {
      throw ReloadPipeline.stopped(run, timer, Phase.BUILD);
    } catch (IOException | RuntimeException e) {
      if (run.stopped()) {
        throw ReloadPipeline.stopped(run, timer, Phase.BUILD);
      }
      throw lap.fail(new BuildFailedException(
          "Building " + config.mainPackage() + " with " + config.builder().getClass().getSimpleName()
              + " failed: " + e.getMessage(), config.platform(), config.builder().getClass(),
          List.of(), e));
    }
    lap.record();
    if (!run.enter(Phase.TRANSFER)) {
      Thread.interrupted(); // the supersede may have hit just as the build returned
      throw ReloadPipeline.stopped(run, timer, Phase.BUILD);
    }
    lap.ended(l -> l.buildEnd(run.reload, artifact));
    return artifact;
  }
}
