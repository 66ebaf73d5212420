package dev.hotreload.core;

import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.internal.engine.EngineConfig;
import dev.hotreload.core.watch.GoWatcher;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.Transport;
import dev.hotreload.spi.Watcher;
import java.util.ServiceLoader;

/**
 * Resolves each plug-in of a spec and hands the engine a config with all of them in place.
 * Builder and watcher: the one set in the configurator, then the first one {@link
 * ServiceLoader} finds that fits, then the built-in default (a fresh {@code ServiceLoader} per
 * session, so class loaders are never pinned). Transport: the one set, else the one the target
 * declares.
 */
final class Plugins {
  private Plugins() {}

  static EngineConfig engineConfig(HotReloadSpec spec) {
    return new EngineConfig(spec.name(), spec.workspace(), spec.mainPackage(), spec.platform(), spec.target(),
        builder(spec), watcher(spec), transport(spec), spec.readiness(), spec.listener(),
        spec.listenerFactory(), spec.debounce(), spec.transferTimeout(), spec.readyTimeout(),
        spec.kodataRestart(), spec.clock(), spec.executor());
  }

  static ArtifactBuilder builder(HotReloadSpec spec) {
    if (spec.builder().isPresent()) {
      return spec.builder().get();
    }
    for (ArtifactBuilder candidate : ServiceLoader.load(ArtifactBuilder.class, spec.classLoader())) {
      if (candidate.supports(spec.platform())) {
        return candidate;
      }
    }
    return GoBuilder.create();
  }

  static Watcher watcher(HotReloadSpec spec) {
    if (spec.watcher().isPresent()) {
      return spec.watcher().get();
    }
    for (Watcher candidate : ServiceLoader.load(Watcher.class, spec.classLoader())) {
      return candidate;
    }
    return GoWatcher.create();
  }

  static Transport transport(HotReloadSpec spec) {
    if (spec.transport().isPresent()) {
      return spec.transport().get();
    }
    return spec.target().defaultTransport().orElseThrow(() -> new IllegalStateException(
        "Target " + spec.target() + " declares no default transport: set one with "
            + ".transport(...)"));
  }
}
