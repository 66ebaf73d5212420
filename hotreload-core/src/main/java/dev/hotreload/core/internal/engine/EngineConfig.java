package dev.hotreload.core.internal.engine;

import dev.hotreload.Platform;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.ReadinessCheck;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.Transport;
import dev.hotreload.spi.Watcher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Everything the engine runs with, its plug-ins already resolved, made only from a spec that
 * {@code HotReload.Configurator.build()} has checked. The public entry point turns
 * its spec into one of these, so the engine never reaches back up into the entry point.
 *
 * @param name the session's name, empty when unnamed
 * @param workspace the Go workspace
 * @param mainPackage the main package, relative to the workspace
 * @param platform the platform built for
 * @param target where the binary goes
 * @param builder builds the binary
 * @param watcher reports source changes
 * @param transport delivers to one destination
 * @param readiness checks a restarted destination, if set
 * @param listener the session's listener
 * @param listenerFactory a per-reload listener, if set
 * @param debounce how long changes coalesce
 * @param transferTimeout the limit of one delivery
 * @param readyTimeout the limit of one readiness check
 * @param kodataRestart whether the app restarts after a kodata-only delivery
 * @param clock the clock phases are timed with
 * @param executor an embedder's executor for reloads, if set (never shut down by the engine)
 */
public record EngineConfig(
    String name, Path workspace, String mainPackage, Platform platform, Target target,
    ArtifactBuilder builder, Watcher watcher, Transport transport,
    Optional<ReadinessCheck> readiness, ReloadListener listener,
    Optional<ReloadListener.Factory> listenerFactory, Duration debounce,
    Duration transferTimeout, Duration readyTimeout, boolean kodataRestart, InstantSource clock,
    Optional<ExecutorService> executor) {

  BuildRequest buildRequest() {
    return new BuildRequest(workspace, mainPackage, platform);
  }
}
