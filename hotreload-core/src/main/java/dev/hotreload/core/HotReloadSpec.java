package dev.hotreload.core;

import dev.hotreload.Platform;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.ArtifactBuilder;
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
 * A validated, immutable hot-reload configuration, made by {@link HotReload.Configurator#build()}.
 * Plug-ins left unset are resolved when the session starts: {@code ServiceLoader} first, then
 * the built-in default.
 */
public final class HotReloadSpec {
  final Path workspace;
  final String name;
  final String mainPackage;
  final Platform platform;
  final Target target;
  final ArtifactBuilder builder;
  final Watcher watcher;
  final Transport transport;
  final ReadinessCheck readiness;
  final ReloadListener listener;
  final ReloadListener.Factory listenerFactory;
  final Duration debounce;
  final Duration transferTimeout;
  final Duration readyTimeout;
  final boolean kodataRestart;
  final ClassLoader classLoader;
  final InstantSource clock;
  final ExecutorService executor;

  HotReloadSpec(HotReload.Configurator c) {
    this.workspace = c.workspace;
    this.name = c.name;
    this.mainPackage = c.mainPackage;
    this.platform = c.platform != null ? c.platform : Platform.linuxHost();
    this.target = c.target;
    this.builder = c.builder;
    this.watcher = c.watcher;
    this.transport = c.transport;
    this.readiness = c.readiness;
    this.listener = c.listener;
    this.listenerFactory = c.listenerFactory;
    this.debounce = c.debounce;
    this.transferTimeout = c.transferTimeout;
    this.readyTimeout = c.readyTimeout;
    this.kodataRestart = c.kodataRestart;
    this.classLoader = c.classLoader;
    this.clock = c.clock;
    this.executor = c.executor;
  }

  /**
   * A configurator holding this spec's values, to derive a changed copy.
   *
   * @return a new configurator
   */
  public HotReload.Configurator toBuilder() {
    return new HotReload.Configurator(this);
  }

  /**
   * The session's name, carried by every {@link dev.hotreload.Reload} it runs.
   *
   * @return the name, empty when unnamed
   */
  public String name() {
    return name;
  }

  /**
   * The Go module's root.
   *
   * @return the workspace
   */
  public Path workspace() {
    return workspace;
  }

  /**
   * The main package.
   *
   * @return for example {@code ./cmd/server}
   */
  public String mainPackage() {
    return mainPackage;
  }

  /**
   * The platform binaries are built for.
   *
   * @return the platform
   */
  public Platform platform() {
    return platform;
  }

  /**
   * Where binaries go.
   *
   * @return the target
   */
  public Target target() {
    return target;
  }

  /**
   * The builder set explicitly.
   *
   * @return the builder, or empty to resolve it at start
   */
  public Optional<ArtifactBuilder> builder() {
    return Optional.ofNullable(builder);
  }

  /**
   * The watcher set explicitly.
   *
   * @return the watcher, or empty to resolve it at start
   */
  public Optional<Watcher> watcher() {
    return Optional.ofNullable(watcher);
  }

  /**
   * The transport set explicitly.
   *
   * @return the transport, or empty to resolve it at start
   */
  public Optional<Transport> transport() {
    return Optional.ofNullable(transport);
  }

  /**
   * The readiness check.
   *
   * @return the check, or empty if a restart counts as ready
   */
  public Optional<ReadinessCheck> readiness() {
    return Optional.ofNullable(readiness);
  }

  /**
   * The session's listener.
   *
   * @return the listener, {@link ReloadListener#NONE} if none
   */
  public ReloadListener listener() {
    return listener;
  }

  /**
   * How long to wait after a file event for more before building.
   *
   * @return the debounce window
   */
  public Duration debounce() {
    return debounce;
  }

  /**
   * The longest one delivery (transfer and restart) may take.
   *
   * @return the timeout
   */
  public Duration transferTimeout() {
    return transferTimeout;
  }

  /**
   * The longest the readiness check may take.
   *
   * @return the timeout
   */
  public Duration readyTimeout() {
    return readyTimeout;
  }

  /**
   * Whether the app restarts after an edit under {@code kodata/} was delivered.
   *
   * @return true by default
   */
  public boolean kodataRestart() {
    return kodataRestart;
  }

  /**
   * The per-reload listener factory.
   *
   * @return the factory, if set
   */
  public Optional<ReloadListener.Factory> listenerFactory() {
    return Optional.ofNullable(listenerFactory);
  }

  /**
   * Where {@code ServiceLoader} looks for plug-ins.
   *
   * @return the class loader
   */
  public ClassLoader classLoader() {
    return classLoader;
  }

  /**
   * The clock durations are read from.
   *
   * @return the clock
   */
  public InstantSource clock() {
    return clock;
  }

  /**
   * The executor for builds and deliveries set by the embedder.
   *
   * @return the executor, or empty to use the session's own threads
   */
  public Optional<ExecutorService> executor() {
    return Optional.ofNullable(executor);
  }
}
