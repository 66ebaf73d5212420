package dev.hotreload;

import java.util.Objects;

/**
 * The identity of one reload, passed first to every listener callback.
 *
 * @param sequence 1 for the session's first reload, then counting up; never reused
 * @param trigger why the reload runs
 * @param changes the file changes it carries; empty for manual, initial and target reloads
 * @param sessionName the name of the session it belongs to (a service's name when one dev
 *     session reloads several); empty when the session has none
 */
public record Reload(long sequence, Trigger trigger, ChangeSet changes, String sessionName) {

  /** Why a reload runs. */
  public enum Trigger {
    /** The session started: build and deliver once before watching. */
    INITIAL,
    /** Files changed. */
    FILE_CHANGE,
    /** {@link Session#reloadNow()} was called. */
    MANUAL,
    /** A destination appeared (a new pod, a restarted container) and needs the current binary. */
    TARGET_CHANGED,
    /**
     * Only files under the main package's {@code kodata/} changed: the directory is delivered
     * without a build and the app restarts on it; the binary stays.
     */
    DATA_CHANGE
  }

  /**
   * A reload of an unnamed session.
   *
   * @param sequence 1 for the session's first reload, then counting up
   * @param trigger why the reload runs
   * @param changes the file changes it carries
   */
  public Reload(long sequence, Trigger trigger, ChangeSet changes) {
    this(sequence, trigger, changes, "");
  }

  /** Checks the fields. */
  public Reload {
    Objects.requireNonNull(sessionName, "sessionName");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(changes, "changes");
    if (sequence < 1) {
      throw new IllegalArgumentException("Reload sequence " + sequence + " must be at least 1");
    }
  }

  /**
   * A short name for logs: {@code #3}, or {@code shop#3} in a named session.
   *
   * @return the id
   */
  public String id() {
    return sessionName + "#" + sequence;
  }
}
