package dev.hotreload.docker.junit;

import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.HotReload;
import dev.hotreload.docker.DockerDevImage;
import dev.hotreload.docker.DockerTarget;
import dev.hotreload.spi.ReadinessCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs a Go service under hot reload in a Docker container for the tests of a class: before
 * them it builds the service's dev image and loads it into the engine, starts the container the
 * test declares from it, and starts a session; tests get a {@link DevContainer} (as a parameter
 * or from {@link #dev()}) and can {@link DevContainer#edit edit} the Go code and wait for the
 * reload — the same container answers with the new code. Everything is closed after the tests.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final HotReloadExtension hello = HotReloadExtension.forWorkspace(Path.of("hello"))
 *     .mainPackage("./cmd/server")
 *     .container(image -> new GenericContainer<>(image).withExposedPorts(8080))
 *     .readiness(Readiness.httpGet(8080, "/healthz"));
 * }</pre>
 *
 * <p>Registered on a static field, the service lives for the whole class; on an instance
 * field, for each test. By default the session works on a copy of the workspace, so edits made
 * by tests never touch the sources; {@link #inPlace()} watches the sources themselves (for a
 * harness that stays up while a developer edits). Needs a Docker engine that Testcontainers
 * finds; nothing else.
 */
public final class HotReloadExtension implements BeforeAllCallback, AfterAllCallback,
    BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final Path workspace;
  private String mainPackage = ".";
  private Function<DockerImageName, GenericContainer<?>> containerFactory =
      GenericContainer::new;
  private ReadinessCheck readiness;
  private boolean copy = true;
  private Duration readyTimeout = Duration.ofMinutes(2);
  private Duration reloadTimeout = Duration.ofMinutes(1);
  private Consumer<HotReload.Configurator> settings = configurator -> {};

  private DevContainer running;
  private GenericContainer<?> container;
  private Path copied;
  private boolean perTest;

  private HotReloadExtension(Path workspace) {
    this.workspace = Objects.requireNonNull(workspace, "workspace").toAbsolutePath().normalize();
  }

  /**
   * Declares the Go workspace of the service.
   *
   * @param workspace the directory with {@code go.mod}
   * @return the extension, to configure further
   */
  public static HotReloadExtension forWorkspace(Path workspace) {
    return new HotReloadExtension(workspace);
  }

  /**
   * The main package, relative to the workspace; {@code .} by default.
   *
   * @param mainPackage such as {@code ./cmd/server}
   * @return this
   */
  public HotReloadExtension mainPackage(String mainPackage) {
    this.mainPackage = Objects.requireNonNull(mainPackage, "mainPackage");
    return this;
  }

  /**
   * How to make the container from the dev image: ports, environment, wait strategy, network.
   * The extension starts and stops it. Do not override its entrypoint (the hotreload agent).
   *
   * @param factory makes an unstarted container of the given image
   * @return this
   */
  public HotReloadExtension container(Function<DockerImageName, GenericContainer<?>> factory) {
    this.containerFactory = Objects.requireNonNull(factory, "factory");
    return this;
  }

  /**
   * When a reload counts as done: for example {@code Readiness.httpGet(8080, "/healthz")}
   * against the container's published port. Without it, a started process is ready.
   *
   * @param readiness the check
   * @return this
   */
  public HotReloadExtension readiness(ReadinessCheck readiness) {
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    return this;
  }

  /**
   * Watches the workspace itself instead of a copy: edits made while the tests run (by a
   * developer, or by {@link DevContainer#edit}) change the sources.
   *
   * @return this
   */
  public HotReloadExtension inPlace() {
    this.copy = false;
    return this;
  }

  /**
   * How long the first build, the container's start and the session's first delivery may take;
   * two minutes by default.
   *
   * @param timeout the limit
   * @return this
   */
  public HotReloadExtension readyTimeout(Duration timeout) {
    this.readyTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * How long {@link DevContainer#edit} waits for its reload; one minute by default.
   *
   * @param timeout the limit
   * @return this
   */
  public HotReloadExtension reloadTimeout(Duration timeout) {
    this.reloadTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Further session settings (debounce, listener, builder, transport…), applied after the
   * extension's own.
   *
   * @param settings changes the session's configurator
   * @return this
   */
  public HotReloadExtension configure(Consumer<HotReload.Configurator> settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /**
   * The running service, for tests that do not take it as a parameter.
   *
   * @return the service of the current test
   * @throws IllegalStateException outside the tests of the class that registers the extension
   */
  public DevContainer dev() {
    if (running == null) {
      throw new IllegalStateException("HotReloadExtension has no running service: use it from "
          + "a test of the class that registers it with @RegisterExtension");
    }
    return running;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (running == null) {
      perTest = true; // registered on an instance field: JUnit never called beforeAll
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      stop();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    return parameter.getParameter().getType() == DevContainer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
      throws ParameterResolutionException {
    if (running == null) {
      throw new ParameterResolutionException("HotReloadExtension has not started its service");
    }
    return running;
  }

  private void start() throws Exception {
    long started = System.nanoTime();
    Path sources = workspace;
    if (copy) {
      copied = Workspaces.copy(workspace);
      sources = copied;
    }
    progress("building the dev image of " + workspace.getFileName() + " " + mainPackage,
        started);
    DockerDevImage image = DockerDevImage.forWorkspace(sources).mainPackage(mainPackage).build();
    progress("loaded " + image.reference() + "; starting its container", started);
    container = containerFactory.apply(DockerImageName.parse(image.reference()));
    container.start();
    progress("container " + container.getContainerName().replaceFirst("^/", "")
        + " started; starting the session", started);
    HotReload.Configurator configurator = HotReload.forWorkspace(sources)
        .mainPackage(mainPackage)
        .target(DockerTarget.of(container))
        .listener(ConsoleProgress.toStdout().relativeTo(sources));
    if (readiness != null) {
      configurator.readiness(readiness);
    }
    settings.accept(configurator);
    Session session = configurator.start();
    try {
      ReloadReport first = session.awaitReady(readyTimeout);
      progress("session ready (" + first.outcome() + ")", started);
    } catch (Exception e) {
      session.close();
      stop();
      throw e;
    }
    running = new DevContainer(container, session, sources, image, reloadTimeout);
  }

  private void stop() {
    DevContainer dev = running;
    running = null;
    try {
      if (dev != null) {
        dev.session().close();
      }
    } finally {
      if (container != null) {
        container.stop();
        container = null;
      }
      if (copied != null) {
        Workspaces.delete(copied);
        copied = null;
      }
    }
  }

  private static void progress(String step, long started) {
    System.out.printf("[hotreload] %s (%d ms)%n", step,
        (System.nanoTime() - started) / 1_000_000);
  }
}
