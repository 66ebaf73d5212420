package dev.hotreload;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one reload did: how long each phase took, how many bytes moved, and how it ended.
 *
 * @param reload which reload
 * @param outcome how it ended
 * @param phases the duration of each phase that ran, in phase order
 * @param total from the first file event (or the request) to the end
 * @param artifact the binary built, when the build succeeded
 * @param bytesSent bytes on the wire, summed over destinations
 * @param bytesRaw the binary's size times the number of destinations it reached
 * @param deliveries one entry per destination the binary was sent to
 * @param failure why it failed, empty unless {@code outcome} is {@link Outcome#FAILED}
 * @param diagnostics compiler messages of a failed build, with file and line
 */
public record ReloadReport(
    Reload reload,
    Outcome outcome,
    Map<Phase, Duration> phases,
    Duration total,
    Optional<Artifact> artifact,
    long bytesSent,
    long bytesRaw,
    List<Delivery> deliveries,
    Optional<String> failure,
    List<Diagnostic> diagnostics) {

  /** How a reload ended. */
  public enum Outcome {
    /** Every destination runs the new binary. */
    SUCCEEDED,
    /** The build or a delivery failed; destinations that were not reached keep the old binary. */
    FAILED,
    /** A newer change arrived during the build; this one was dropped for it. */
    SUPERSEDED,
    /** The session closed before the reload finished. */
    CANCELLED
  }

  /**
   * The result of sending the binary to one destination.
   *
   * @param destination the destination's id
   * @param succeeded whether it runs the new binary
   * @param bytesSent bytes on the wire to it
   * @param restart how long the swap and restart took there, as the destination reported it
   * @param message an error message, or a short note on success
   */
  public record Delivery(
      String destination, boolean succeeded, long bytesSent, Duration restart, String message) {
    /** Checks the fields. */
    public Delivery {
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(restart, "restart");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Copies the collections. */
  public ReloadReport {
    Objects.requireNonNull(reload, "reload");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(total, "total");
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(failure, "failure");
    EnumMap<Phase, Duration> ordered = new EnumMap<>(Phase.class);
    ordered.putAll(phases);
    phases = java.util.Collections.unmodifiableMap(ordered);
    deliveries = List.copyOf(deliveries);
    diagnostics = List.copyOf(diagnostics);
  }

  /**
   * The duration of one phase.
   *
   * @param phase the phase
   * @return its duration, or empty if it did not run
   */
  public Optional<Duration> duration(Phase phase) {
    return Optional.ofNullable(phases.get(phase));
  }

  /**
   * Whether every destination runs the new binary.
   *
   * @return true if the outcome is {@link Outcome#SUCCEEDED}
   */
  public boolean succeeded() {
    return outcome == Outcome.SUCCEEDED;
  }

  /**
   * The changed files that caused this reload.
   *
   * @return the paths
   */
  public List<java.nio.file.Path> changedFiles() {
    return reload.changes().paths();
  }
}
