package dev.hotreload.core.agent;

import dev.hotreload.spi.ContainerSpec.EmptyDirMount;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Puts the in-container agent in front of the app: the container's command becomes {@code
 * /ko-app/hotreload-agent run --dir /var/run/hotreload -- <command> <args>}, its image becomes the
 * built image, and it gets the writable {@code emptyDir} the agent keeps its socket and the app's
 * binary in.
 *
 * <p>The original command, or the image's entrypoint when the container sets none, and then the
 * original arguments follow {@code --}; the container's own {@code args} are cleared because the
 * agent receives them. The image's {@code CMD} is not known here and is therefore not appended:
 * ko images have none.
 *
 * <p>Idempotent: a container whose command already starts with the agent keeps its command and
 * arguments, so rewriting a rewritten manifest changes nothing (only its image follows a newer
 * build). Immutable and thread-safe.
 *
 * <pre>{@code
 * ManifestTransformer agent = AgentManifestTransformer.builder()
 *     .stopSignal("INT")
 *     .stopTimeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 */
public final class AgentManifestTransformer implements ManifestTransformer {
  /** The agent with its own defaults: stop with SIGTERM, SIGKILL after 5 s. */
  public static final AgentManifestTransformer DEFAULT = builder().build();

  // The spellings the agent's parseSignal accepts; checked here so a typo fails at build time
  // instead of as a crash-looping container.
  private static final Set<String> SIGNAL_NAMES =
      Set.of("HUP", "INT", "QUIT", "KILL", "TERM", "USR1", "USR2");
  private static final EmptyDirMount STATE_MOUNT = new EmptyDirMount(AgentLayout.VOLUME_NAME, AgentLayout.STATE_DIRECTORY);

  private final Optional<String> stopSignal;
  private final Optional<Duration> stopTimeout;

  private AgentManifestTransformer(Builder builder) {
    this.stopSignal = builder.stopSignal;
    this.stopTimeout = builder.stopTimeout;
  }

  /**
   * Starts a transformer with the agent's defaults for everything.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The signal the agent sends the app before a restart, if set here.
   *
   * @return the signal name or number as the agent receives it, empty for the agent's default
   */
  public Optional<String> stopSignal() {
    return stopSignal;
  }

  /**
   * How long the agent waits after the stop signal before SIGKILL, if set here.
   *
   * @return the timeout, empty for the agent's default
   */
  public Optional<Duration> stopTimeout() {
    return stopTimeout;
  }

  /**
   * Rewrites the container to run under the agent.
   *
   * @param container the container as the manifest has it
   * @param context the built image and its entrypoint
   * @return the container running the agent, with the built image and the agent's volume
   * @throws IllegalArgumentException if the container has no command and the image no entrypoint,
   *     or something else is already mounted at {@link AgentLayout#STATE_DIRECTORY}
   */
  @Override
  public ContainerSpec transform(ContainerSpec container, Context context) {
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(context, "context");
    List<String> command;
    List<String> args;
    if (!container.command().isEmpty() && container.command().get(0).equals(AgentLayout.PATH)) {
      command = container.command();
      args = container.args();
    } else {
      command = agentCommand(container, context);
      args = List.of();
    }
    return new ContainerSpec(
        container.name(),
        context.image(),
        command,
        args,
        container.env(),
        container.workingDir(),
        withStateMount(container));
  }

  private List<String> agentCommand(ContainerSpec container, Context context) {
    List<String> app = container.command().isEmpty() ? context.entrypoint() : container.command();
    if (app.isEmpty()) {
      throw new IllegalArgumentException(
          "Container '"
              + container.name()
              + "' sets no command and the image "
              + context.image()
              + " has no entrypoint, so the agent would not know what to run: set the"
              + " container's command, or build the image with an entrypoint");
    }
    List<String> options = new ArrayList<>();
    stopSignal.ifPresent(signal -> options.addAll(List.of("--stop-signal", signal)));
    stopTimeout.ifPresent(
        timeout -> options.addAll(List.of("--stop-timeout", goDuration(timeout))));
    List<String> appCommand = new ArrayList<>(app);
    appCommand.addAll(container.args());
    return AgentLayout.runCommand(container.name(), options, appCommand);
  }

  private static List<EmptyDirMount> withStateMount(ContainerSpec container) {
    for (EmptyDirMount mount : container.emptyDirMounts()) {
      if (mount.mountPath().equals(AgentLayout.STATE_DIRECTORY)) {
        if (mount.volumeName().equals(AgentLayout.VOLUME_NAME)) {
          return container.emptyDirMounts();
        }
        throw new IllegalArgumentException(
            "Container '"
                + container.name()
                + "' already mounts volume '"
                + mount.volumeName()
                + "' at "
                + AgentLayout.STATE_DIRECTORY
                + ", where the agent needs its own volume '"
                + AgentLayout.VOLUME_NAME
                + "': remove that mount");
      }
    }
    List<EmptyDirMount> mounts = new ArrayList<>(container.emptyDirMounts());
    mounts.add(STATE_MOUNT);
    return mounts;
  }

  // Go's time.ParseDuration reads "1500ms" and "5s"; the largest exact unit keeps it readable.
  static String goDuration(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }

  @Override
  public String toString() {
    return "AgentManifestTransformer{stopSignal="
        + stopSignal.orElse("default")
        + ", stopTimeout="
        + stopTimeout.map(AgentManifestTransformer::goDuration).orElse("default")
        + "}";
  }

  /** Collects the options passed to {@code agent run}; not thread-safe, single use per build. */
  public static final class Builder {
    private Optional<String> stopSignal = Optional.empty();
    private Optional<Duration> stopTimeout = Optional.empty();

    private Builder() {}

    /**
     * Sets the signal the agent sends the app before a restart ({@code --stop-signal}).
     *
     * @param signal {@code TERM}, {@code SIGINT}, {@code int}, {@code 15}: a name the agent knows
     *     (HUP, INT, QUIT, KILL, TERM, USR1, USR2, with or without {@code SIG}) or a number 1–64
     * @return this builder
     * @throws IllegalArgumentException if the agent would not accept the signal
     */
    public Builder stopSignal(String signal) {
      Objects.requireNonNull(signal, "signal");
      String name = signal.trim().toUpperCase(Locale.ROOT);
      if (name.startsWith("SIG")) {
        name = name.substring(3);
      }
      if (!SIGNAL_NAMES.contains(name) && !isSignalNumber(name)) {
        throw new IllegalArgumentException(
            "stopSignal '"
                + signal
                + "' is not a signal the agent knows: use TERM, INT, HUP, QUIT, USR1, USR2,"
                + " KILL or a number from 1 to 64");
      }
      this.stopSignal = Optional.of(name);
      return this;
    }

    /**
     * Sets how long the agent waits after the stop signal before it kills the app ({@code
     * --stop-timeout}).
     *
     * @param timeout zero or more; zero kills at once
     * @return this builder
     * @throws IllegalArgumentException if the timeout is negative
     */
    public Builder stopTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("stopTimeout " + timeout + " must not be negative");
      }
      this.stopTimeout = Optional.of(timeout);
      return this;
    }

    /**
     * Creates the transformer.
     *
     * @return an immutable transformer
     */
    public AgentManifestTransformer build() {
      return new AgentManifestTransformer(this);
    }

    private static boolean isSignalNumber(String name) {
      if (name.isEmpty() || name.length() > 2 || !name.chars().allMatch(Character::isDigit)) {
        return false;
      }
      int number = Integer.parseInt(name);
      return number >= 1 && number <= 64;
    }
  }
}
