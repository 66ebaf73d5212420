package dev.hotreload;

/**
 * Where a {@link Session} is in its life, after Guava's {@code Service.State}.
 *
 * <pre>
 * STARTING ─► WATCHING ◄─► RELOADING
 *     │           │             │
 *     └──────► STOPPING ◄───────┘ ─► CLOSED
 *   (any) ─► FAILED  (fatal errors only)
 * </pre>
 */
public enum SessionState {
  /** Checking the workspace, building and delivering the first binary. */
  STARTING,
  /** Idle, waiting for file changes. */
  WATCHING,
  /** A reload is running. */
  RELOADING,
  /** {@link Session#close()} was called; the reload in progress is being cancelled. */
  STOPPING,
  /** Stopped; nothing runs. */
  CLOSED,
  /** Stopped by a fatal error: see {@link Session#failureCause()}. */
  FAILED;

  /**
   * Whether the session has stopped for good.
   *
   * @return true for {@link #CLOSED} and {@link #FAILED}
   */
  public boolean isTerminal() {
    return this == CLOSED || this == FAILED;
  }
}
