package dev.hotreload.core.internal.engine;

import dev.hotreload.SessionState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** The session's state as the facade and the scheduler share it. */
final class SessionStatus {
  volatile SessionState state = SessionState.STARTING;
  volatile Throwable failure;
  final AtomicBoolean closing = new AtomicBoolean();
  /** Completes when the first reload has ended (not superseded). */
  final CompletableFuture<Finished> initial = new CompletableFuture<>();

  boolean closing() {
    return closing.get();
  }
}
