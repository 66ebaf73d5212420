package dev.hotreload.core.watchexec;

import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rewrites a container for the watchexec supervisor (the seed design): the container runs {@code
 * watchexec} from the image's kodata, which runs the original command and restarts it whenever a
 * new binary lands in the binary's directory.
 *
 * <p>For a container that runs {@code /ko-app/hello --port 8080}, the command becomes:
 *
 * <pre>
 * /var/run/ko/watchexec --restart --shell=none --stop-timeout 5s --debounce 50ms
 *     --ignore **&#47;.*.incoming --watch /ko-app -- /ko-app/hello --port 8080
 * </pre>
 *
 * <ul>
 *   <li>It watches the directory, not the binary: a watch on a single file dies once the file is
 *       replaced.
 *   <li>{@code --shell=none} runs the command as given, so the image needs no shell; the original
 *       arguments follow {@code --} and the container's {@code args} are cleared.
 *   <li>{@code --ignore} skips the temporary name a binary arrives under (see the tar stream the
 *       watchexec transport sends), so watchexec acts only when the finished binary appears.
 *   <li>A container without a command runs the image's entrypoint, so that becomes the command
 *       watchexec runs.
 *   <li>The image becomes the dev image; name, env, working directory and mounts stay as they
 *       are.
 * </ul>
 *
 * <p>Applying it to a container it already rewrote only replaces the image. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * ManifestTransformer transformer =
 *     WatchexecManifestTransformer.builder().stopTimeout(Duration.ofSeconds(10)).build();
 * }</pre>
 */
public final class WatchexecManifestTransformer implements ManifestTransformer {

  /** Where ko's binaries live in an image, and so what is watched by default. */
  public static final String KO_APP_DIRECTORY = "/ko-app";

  private final String watchexecPath;
  private final String binaryDirectory;
  private final Duration stopTimeout;
  private final Duration debounce;

  private WatchexecManifestTransformer(Builder b) {
    this.watchexecPath = b.watchexecPath;
    this.binaryDirectory = b.binaryDirectory;
    this.stopTimeout = b.stopTimeout;
    this.debounce = b.debounce;
  }

  /**
   * A transformer with the defaults: watchexec at {@value Watchexec#IMAGE_PATH}, binaries in
   * {@value #KO_APP_DIRECTORY}, 5 s to stop gracefully, 50 ms debounce.
   *
   * @return the transformer
   */
  public static WatchexecManifestTransformer create() {
    return builder().build();
  }

  /**
   * Starts configuring a transformer.
   *
   * @return the configurator, holding the defaults of {@link #create()}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Rewrites the container's command to run under watchexec.
   *
   * @param container the container as the manifest has it
   * @param context the dev image and its entrypoint
   * @return the rewritten container
   * @throws IllegalArgumentException if the container sets no command and the image has no
   *     entrypoint, so there is nothing to run
   */
  @Override
  public ContainerSpec transform(ContainerSpec container, Context context) {
    List<String> command;
    List<String> args;
    if (!container.command().isEmpty() && container.command().get(0).equals(watchexecPath)) {
      command = container.command();
      args = container.args();
    } else {
      List<String> original =
          new ArrayList<>(container.command().isEmpty() ? context.entrypoint() : container.command());
      if (original.isEmpty()) {
        throw new IllegalArgumentException(
            "Container '" + container.name() + "' sets no command and image '" + context.image()
                + "' has no entrypoint: watchexec has nothing to run; set the container's command");
      }
      original.addAll(container.args());
      command = supervisorCommand(original);
      args = List.of();
    }
    return new ContainerSpec(
        container.name(), context.image(), command, args, container.env(),
        container.workingDir(), container.emptyDirMounts());
  }

  private List<String> supervisorCommand(List<String> original) {
    List<String> command = new ArrayList<>();
    command.add(watchexecPath);
    command.add("--restart");
    command.add("--shell=none");
    command.add("--stop-timeout");
    command.add(format(stopTimeout));
    command.add("--debounce");
    command.add(format(debounce));
    command.add("--ignore");
    command.add(TarStreams.INCOMING_GLOB);
    command.add("--watch");
    command.add(binaryDirectory);
    command.add("--");
    command.addAll(original);
    return List.copyOf(command);
  }

  /** Writes a duration the way watchexec parses it: {@code 5s}, {@code 50ms}. */
  private static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** Configures a {@link WatchexecManifestTransformer}. Not thread-safe. */
  public static final class Builder {
    private String watchexecPath = Watchexec.IMAGE_PATH;
    private String binaryDirectory = KO_APP_DIRECTORY;
    private Duration stopTimeout = Duration.ofSeconds(5);
    private Duration debounce = Duration.ofMillis(50);

    private Builder() {}

    /**
     * Where watchexec is in the container.
     *
     * @param path an absolute path; default {@value Watchexec#IMAGE_PATH}, where ko puts the
     *     workspace's {@code kodata/watchexec}
     * @return this
     * @throws IllegalArgumentException if the path is not absolute
     */
    public Builder watchexecPath(String path) {
      this.watchexecPath = absolute("watchexecPath", path);
      return this;
    }

    /**
     * The directory the new binary is delivered into, which watchexec watches.
     *
     * @param directory an absolute path; default {@value #KO_APP_DIRECTORY}
     * @return this
     * @throws IllegalArgumentException if the path is not absolute
     */
    public Builder binaryDirectory(String directory) {
      this.binaryDirectory = absolute("binaryDirectory", directory);
      return this;
    }

    /**
     * How long watchexec waits after SIGTERM before it kills the old process.
     *
     * @param timeout at least 1 ms; default 5 s
     * @return this
     * @throws IllegalArgumentException if it is shorter than 1 ms
     */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = positive("stopTimeout", timeout);
      return this;
    }

    /**
     * How long watchexec gathers file events before it restarts.
     *
     * @param debounce at least 1 ms; default 50 ms
     * @return this
     * @throws IllegalArgumentException if it is shorter than 1 ms
     */
    public Builder debounce(Duration debounce) {
      this.debounce = positive("debounce", debounce);
      return this;
    }

    /**
     * Creates the transformer.
     *
     * @return the transformer
     */
    public WatchexecManifestTransformer build() {
      return new WatchexecManifestTransformer(this);
    }

    private static String absolute(String field, String path) {
      Objects.requireNonNull(path, field);
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException(
            field + " '" + path + "' must be an absolute path in the container, like /ko-app");
      }
      return path;
    }

    private static Duration positive(String field, Duration duration) {
      Objects.requireNonNull(duration, field);
      if (duration.toMillis() < 1) {
        throw new IllegalArgumentException(field + " " + duration + " must be at least 1 ms");
      }
      return duration;
    }
  }
}
