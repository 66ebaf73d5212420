package dev.hotreload.core;

import dev.hotreload.Platform;
import dev.hotreload.Session;
import dev.hotreload.core.internal.engine.ReloadSession;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.ReadinessCheck;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.Transport;
import dev.hotreload.spi.Watcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * The entry point: configure a hot-reload session for a Go workspace and start it.
 *
 * <pre>{@code
 * try (Session session = HotReload.forWorkspace(Path.of("."))
 *     .mainPackage("./cmd/server")
 *     .target(LocalProcessTarget.create())
 *     .listener(ConsoleProgress.toStdout())
 *     .start()) {
 *   session.awaitClose();
 * }
 * }</pre>
 */
public final class HotReload {
  private HotReload() {}

  /**
   * Starts configuring a session for the Go module rooted at {@code workspace}.
   *
   * @param workspace the directory holding go.mod
   * @return a single-use configurator
   */
  public static Configurator forWorkspace(Path workspace) {
    return new Configurator(Objects.requireNonNull(workspace, "workspace"));
  }

  /**
   * Collects the settings of a session. Not thread-safe; use it once.
   */
  public static final class Configurator {
    Path workspace;
    String name = "";
    String mainPackage = ".";
    Platform platform;
    Target target;
    ArtifactBuilder builder;
    Watcher watcher;
    Transport transport;
    ReadinessCheck readiness;
    ReloadListener listener = ReloadListener.NONE;
    ReloadListener.Factory listenerFactory;
    Duration debounce = Duration.ofMillis(10);
    Duration transferTimeout = Duration.ofSeconds(60);
    Duration readyTimeout = Duration.ofSeconds(30);
    boolean kodataRestart = true;
    ClassLoader classLoader = HotReload.class.getClassLoader();
    InstantSource clock = InstantSource.system();
    ExecutorService executor;

    Configurator(Path workspace) {
      this.workspace = workspace;
    }

    Configurator(HotReloadSpec spec) {
      this.workspace = spec.workspace;
      this.name = spec.name;
      this.mainPackage = spec.mainPackage;
      this.platform = spec.platform;
      this.target = spec.target;
      this.builder = spec.builder;
      this.watcher = spec.watcher;
      this.transport = spec.transport;
      this.readiness = spec.readiness;
      this.listener = spec.listener;
      this.listenerFactory = spec.listenerFactory;
      this.debounce = spec.debounce;
      this.transferTimeout = spec.transferTimeout;
      this.readyTimeout = spec.readyTimeout;
      this.kodataRestart = spec.kodataRestart;
      this.classLoader = spec.classLoader;
      this.clock = spec.clock;
      this.executor = spec.executor;
    }

    /**
     * Names the session: every reload and report carries the name ({@code shop#3}), so that
     * the listeners of several sessions (one per service) can tell them apart. Default: none.
     *
     * @param name a short name, such as the service's
     * @return this
     */
    public Configurator name(String name) {
      this.name = Objects.requireNonNull(name, "name").strip();
      return this;
    }

    /**
     * The main package to build, relative to the workspace ({@code ./cmd/server}) or as an import
     * path. Default: {@code .}.
     *
     * @param mainPackage the package
     * @return this
     */
    public Configurator mainPackage(String mainPackage) {
      this.mainPackage = mainPackage;
      return this;
    }

    /**
     * The platform to build for, like {@code linux/arm64}. Default: {@code linux/<this machine's
     * architecture>}.
     *
     * @param platform the platform text
     * @return this
     * @throws IllegalArgumentException if it does not parse; the message quotes it
     */
    public Configurator platform(String platform) {
      return platform(Platform.parse(platform));
    }

    /**
     * The platform to build for.
     *
     * @param platform the platform
     * @return this
     */
    public Configurator platform(Platform platform) {
      this.platform = Objects.requireNonNull(platform, "platform");
      return this;
    }

    /**
     * Where the binary goes: a local process, a pod, a Deployment. Required.
     *
     * @param target the target
     * @return this
     */
    public Configurator target(Target target) {
      this.target = target;
      return this;
    }

    /**
     * Replaces the default builder ({@link dev.hotreload.core.build.GoBuilder}).
     *
     * @param builder the builder
     * @return this
     */
    public Configurator builder(ArtifactBuilder builder) {
      this.builder = Objects.requireNonNull(builder, "builder");
      return this;
    }

    /**
     * Replaces the default watcher ({@link dev.hotreload.core.watch.GoWatcher}).
     *
     * @param watcher the watcher
     * @return this
     */
    public Configurator watcher(Watcher watcher) {
      this.watcher = Objects.requireNonNull(watcher, "watcher");
      return this;
    }

    /**
     * Sets the transport instead of the first one found by {@code ServiceLoader} that supports
     * the target.
     *
     * @param transport the transport
     * @return this
     */
    public Configurator transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * Waits for this check after every restart; see {@link Readiness}. Default: none, a started
     * process counts as ready.
     *
     * @param readiness the check
     * @return this
     */
    public Configurator readiness(ReadinessCheck readiness) {
      this.readiness = Objects.requireNonNull(readiness, "readiness");
      return this;
    }

    /**
     * Receives every reload's events; combine several with {@link ReloadListener#compose}.
     *
     * @param listener the listener
     * @return this
     */
    public Configurator listener(ReloadListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Creates a listener for each reload, for listeners that keep per-reload state.
     *
     * @param factory the factory
     * @return this
     */
    public Configurator listenerFactory(ReloadListener.Factory factory) {
      this.listenerFactory = Objects.requireNonNull(factory, "listenerFactory");
      return this;
    }

    /**
     * How long to wait after a change for more changes before building. Default: 10 ms — the
     * watcher already batches an editor's write-and-rename, and a change that comes later
     * supersedes the running build anyway, so a longer window only delays every reload.
     *
     * @param debounce the window
     * @return this
     */
    public Configurator debounce(Duration debounce) {
      this.debounce = debounce;
      return this;
    }

    /**
     * The longest a delivery to one destination (restart included) may take. Default: 60 s.
     *
     * @param timeout the timeout
     * @return this
     */
    public Configurator transferTimeout(Duration timeout) {
      this.transferTimeout = timeout;
      return this;
    }

    /**
     * The longest the readiness check may take. Default: 30 s.
     *
     * @param timeout the timeout
     * @return this
     */
    public Configurator readyTimeout(Duration timeout) {
      this.readyTimeout = timeout;
      return this;
    }

    /**
     * Whether the app restarts once an edit under the main package's {@code kodata/} has been
     * delivered (without a build: the agent swaps in the new copy that {@code KO_DATA_PATH}
     * points at). Default: true. With false the app keeps running and sees the new files on
     * its next read — for apps that read their data per request.
     *
     * @param restart whether to restart
     * @return this
     */
    public Configurator kodataRestart(boolean restart) {
      this.kodataRestart = restart;
      return this;
    }

    /**
     * Where {@code ServiceLoader} looks for plug-ins. Default: this library's class loader.
     *
     * @param classLoader the class loader
     * @return this
     */
    public Configurator classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    /**
     * The clock phase durations are read from; tests pass a fake one.
     *
     * @param clock the clock
     * @return this
     */
    public Configurator clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Runs builds and deliveries on this executor instead of the session's own threads. The
     * session never shuts it down.
     *
     * @param executor the executor
     * @return this
     */
    public Configurator executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Checks every setting and reports all problems at once.
     *
     * @return the immutable spec
     * @throws IllegalArgumentException naming each bad field and its value
     * @throws IllegalStateException if a required field is missing
     */
    public HotReloadSpec build() {
      List<String> problems = new ArrayList<>();
      if (!Files.isDirectory(workspace)) {
        problems.add("workspace " + workspace + " is not a directory");
      }
      if (mainPackage == null || mainPackage.isBlank()) {
        problems.add("mainPackage '" + mainPackage + "' is empty: use a path like ./cmd/server");
      }
      if (target == null) {
        problems.add("target is not set: use .target(LocalProcessTarget.create()) or a "
            + "KubernetesTarget");
      }
      checkPositive(problems, "debounce", debounce, true);
      checkPositive(problems, "transferTimeout", transferTimeout, false);
      checkPositive(problems, "readyTimeout", readyTimeout, false);
      if (!problems.isEmpty()) {
        String message = "Invalid hot-reload configuration: " + String.join("; ", problems);
        if (target == null && problems.size() == 1) {
          throw new IllegalStateException(message);
        }
        throw new IllegalArgumentException(message);
      }
      return new HotReloadSpec(this);
    }

    private static void checkPositive(
        List<String> problems, String name, Duration value, boolean zeroAllowed) {
      if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
        problems.add(name + " " + value + " must be " + (zeroAllowed ? "zero or more" : "positive"));
      }
    }

    /**
     * Builds the spec and starts the session: checks the toolchain and main package, opens the
     * target, starts watching, then builds and delivers the first binary in the background.
     *
     * @return the running session
     * @throws IllegalArgumentException if the configuration is invalid
     * @throws dev.hotreload.HotReloadException if the workspace cannot be built at all or the
     *     target cannot be opened
     */
    public Session start() {
      return ReloadSession.start(Plugins.engineConfig(build()));
    }
  }
}
