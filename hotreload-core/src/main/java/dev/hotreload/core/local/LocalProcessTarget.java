package dev.hotreload.core.local;

import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the binary as a child process of this JVM and restarts it on every reload, like {@code
 * air} for Go: the no-cluster target, and the floor every cluster target is compared to.
 *
 * <p>Each delivery copies the binary into a private run directory under a new name and renames
 * it into place (the running file is never written), stops the old process (SIGTERM, then
 * SIGKILL after the stop timeout) and starts the new one. Its output goes to the session's
 * listener. Closing the session stops the process.
 *
 * <pre>{@code
 * LocalProcessTarget.create().args("--port", "8080").env("GREETING", "hi")
 * }</pre>
 */
public final class LocalProcessTarget implements Target {
  private final List<String> args = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private Path workingDirectory;
  private Duration stopTimeout = Duration.ofSeconds(5);

  private LocalProcessTarget() {}

  /**
   * A target that runs the binary with no arguments in the workspace's parent environment.
   *
   * @return the target
   */
  public static LocalProcessTarget create() {
    return new LocalProcessTarget();
  }

  /**
   * Arguments passed to the binary.
   *
   * @param arguments the arguments
   * @return this
   */
  public LocalProcessTarget args(String... arguments) {
    args.addAll(List.of(arguments));
    return this;
  }

  /**
   * An environment variable for the binary, on top of this JVM's environment.
   *
   * @param name the name
   * @param value the value
   * @return this
   */
  public LocalProcessTarget env(String name, String value) {
    env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * The directory the binary runs in. Default: this JVM's working directory.
   *
   * @param directory the directory
   * @return this
   */
  public LocalProcessTarget workingDirectory(Path directory) {
    this.workingDirectory = Objects.requireNonNull(directory, "workingDirectory");
    return this;
  }

  /**
   * How long a stopping process may take after SIGTERM before it is killed. Default: 5 s.
   *
   * @param timeout the timeout
   * @return this
   */
  public LocalProcessTarget stopTimeout(Duration timeout) {
    this.stopTimeout = Objects.requireNonNull(timeout, "stopTimeout");
    return this;
  }

  @Override
  public TargetHandle open(TargetRequest request) throws IOException {
    Platform host = hostPlatform();
    if (!request.platform().runsOn(host)) {
      throw new IOException(
          "A local process target runs binaries on this machine (" + host + "), but the session "
              + "builds for " + request.platform() + ": set .platform(\"" + host + "\")");
    }
    Path runDirectory = Files.createTempDirectory("hotreload-run-");
    LocalProcess process =
        new LocalProcess(List.copyOf(args), Map.copyOf(env), workingDirectory, stopTimeout,
            runDirectory, request.events(), host);
    return new TargetHandle() {
      @Override
      public List<Destination> destinations() {
        return List.of(process);
      }

      private boolean closed;

      @Override
      public synchronized void close() throws IOException {
        if (closed) {
          return;
        }
        closed = true;
        process.stop();
        try (Stream<Path> files = Files.walk(runDirectory)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    };
  }

  /**
   * Delivers with a {@link LocalProcessTransport}: stage beside the running binary, rename,
   * restart.
   *
   * @return a new local process transport
   */
  @Override
  public Optional<Transport> defaultTransport() {
    return Optional.of(new LocalProcessTransport());
  }

  static Platform hostPlatform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    Platform linux = Platform.linuxHost();
    if (os.contains("mac")) {
      return Platform.of("darwin", linux.architecture());
    }
    if (os.contains("win")) {
      return Platform.of("windows", linux.architecture());
    }
    return linux;
  }

  @Override
  public String toString() {
    return "LocalProcessTarget" + args;
  }

  /** The one destination of a local target: a child process. Thread-safe. */
  static final class LocalProcess implements Destination {
    private final List<String> args;
    private final Map<String, String> env;
    private final Path workingDirectory;
    private final Duration stopTimeout;
    private final Path runDirectory;
    private final TargetEvents events;
    private final Platform platform;
    private Process process;
    private int generation;

    LocalProcess(List<String> args, Map<String, String> env, Path workingDirectory,
        Duration stopTimeout, Path runDirectory, TargetEvents events, Platform platform) {
      this.args = args;
      this.env = env;
      this.workingDirectory = workingDirectory;
      this.stopTimeout = stopTimeout;
      this.runDirectory = runDirectory;
      this.events = events;
      this.platform = platform;
    }

    @Override
    public String id() {
      return "local/" + runDirectory.getFileName();
    }

    @Override
    public Optional<Platform> platform() {
      return Optional.of(platform);
    }

    @Override
    public InetSocketAddress localAddress(int port) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Copies the binary into place without touching the running file. */
    synchronized Path stage(Artifact artifact) throws IOException {
      Path binary = runDirectory.resolve(artifact.binaryName());
      Path temp = runDirectory.resolve("." + artifact.binaryName() + ".incoming");
      Files.copy(artifact.path(), temp, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (UnsupportedOperationException e) {
        temp.toFile().setExecutable(true);
      }
      Files.move(temp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return binary;
    }

    /** Stops the old process and starts the staged binary; returns the new pid. */
    synchronized long restart(Path binary) throws IOException {
      stop();
      List<String> command = new ArrayList<>();
      command.add(binary.toString());
      command.addAll(args);
      ProcessBuilder builder = new ProcessBuilder(command);
      if (workingDirectory != null) {
        builder.directory(workingDirectory.toFile());
      }
      builder.environment().putAll(env);
      process = builder.start();
      process.getOutputStream().close();
      int gen = ++generation;
      pipe(process.getInputStream(), "stdout-" + gen);
      pipe(process.getErrorStream(), "stderr-" + gen);
      Process started = process;
      started.onExit().thenAccept(p -> {
        synchronized (this) {
          if (process == p) {
            events.log(LogEvent.warn(binary.getFileName() + " (pid " + p.pid() + ") exited with "
                + p.exitValue() + "; it starts again on the next reload"));
          }
        }
      });
      return started.pid();
    }

    synchronized void stop() {
      Process old = process;
      process = null;
      if (old == null || !old.isAlive()) {
        return;
      }
      old.destroy(); // SIGTERM: let the app shut down gracefully
      try {
        if (!old.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          events.log(LogEvent.warn("pid " + old.pid() + " ignored SIGTERM for "
              + stopTimeout.toMillis() + " ms; killing it"));
          old.destroyForcibly().waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        old.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    synchronized Optional<Long> pid() {
      return process != null && process.isAlive() ? Optional.of(process.pid()) : Optional.empty();
    }

    private void pipe(InputStream stream, String name) {
      Thread thread = new Thread(() -> {
        try (BufferedReader reader =
            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            events.output(this, line);
          }
        } catch (IOException e) {
          // the process ended
        }
      }, "hotreload-local-" + name);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public String toString() {
      return id();
    }
  }
}
