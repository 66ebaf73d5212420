package dev.hotreload.core.internal.engine;

import dev.hotreload.Reload;
import dev.hotreload.event.ReloadListener;
import java.util.function.Consumer;

/**
 * Calls listeners one at a time and swallows what they throw, so a faulty listener can neither
 * break a reload nor see two callbacks at once.
 */
final class ListenerDispatcher {
  private static final System.Logger LOG = System.getLogger("dev.hotreload");

  private final ReloadListener listener;
  private final ReloadListener.Factory factory;
  private final Object lock = new Object();

  ListenerDispatcher(ReloadListener listener, ReloadListener.Factory factory) {
    this.listener = listener;
    this.factory = factory;
  }

  /** The listener of one reload: the session's listener plus the factory's, if any. */
  ReloadListener forReload(Reload reload) {
    if (factory == null) {
      return listener;
    }
    try {
      return ReloadListener.compose(listener, factory.create(reload));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "ReloadListener.Factory threw; using the session listener", e);
      return listener;
    }
  }

  void emit(Consumer<ReloadListener> call) {
    emit(listener, call);
  }

  void emit(ReloadListener target, Consumer<ReloadListener> call) {
    synchronized (lock) {
      try {
        call.accept(target);
      } catch (RuntimeException e) {
        // Listeners must not throw; log it once here and carry on with the reload.
        LOG.log(System.Logger.Level.WARNING,
            "ReloadListener " + target.getClass().getName() + " threw; ignored", e);
      }
    }
  }
}
