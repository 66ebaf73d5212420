package dev.hotreload.core.internal;

import dev.hotreload.Platform;
import dev.hotreload.core.GoBuilder;
import dev.hotreload.core.GoWatcher;
import dev.hotreload.core.HotReloadSpec;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.Transport;
import dev.hotreload.spi.Watcher;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Resolves each plug-in in this order: the one set in the configurator, then the first one
 * {@link ServiceLoader} finds that fits, then the built-in default. A fresh {@code ServiceLoader}
 * per session, so class loaders are never pinned.
 */
final class Plugins {
  private Plugins() {}

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
    Target target = spec.target();
    Platform platform = spec.platform();
    List<String> seen = new ArrayList<>();
    for (Transport candidate : ServiceLoader.load(Transport.class, spec.classLoader())) {
      if (candidate.supports(target, platform)) {
        return candidate;
      }
      seen.add(candidate.getClass().getName());
    }
    throw new IllegalStateException(
        "No transport supports target " + target + " for " + platform + " (found: "
            + (seen.isEmpty() ? "none" : String.join(", ", seen)) + "). Put hotreload-k8s on the "
            + "class path for Kubernetes targets, or set one with .transport(...)");
  }
}
