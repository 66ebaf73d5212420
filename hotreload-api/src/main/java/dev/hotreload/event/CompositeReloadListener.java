package dev.hotreload.event;

import dev.hotreload.Artifact;
import dev.hotreload.HotReloadException;
import dev.hotreload.LogEvent;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.spi.Destination;
import java.util.List;
import java.util.function.Consumer;

/** Forwards to several listeners; one that throws does not stop the others. */
final class CompositeReloadListener extends ReloadListener {
  private final List<ReloadListener> listeners;

  CompositeReloadListener(List<ReloadListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  List<ReloadListener> listeners() {
    return listeners;
  }

  private void each(Consumer<ReloadListener> call) {
    RuntimeException first = null;
    for (ReloadListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      // Rethrown so the session can log it once; every listener has already been called.
      throw first;
    }
  }

  @Override
  public void reloadStart(Reload reload) {
    each(l -> l.reloadStart(reload));
  }

  @Override
  public void changesDetected(Reload reload) {
    each(l -> l.changesDetected(reload));
  }

  @Override
  public void buildStart(Reload reload) {
    each(l -> l.buildStart(reload));
  }

  @Override
  public void buildEnd(Reload reload, Artifact artifact) {
    each(l -> l.buildEnd(reload, artifact));
  }

  @Override
  public void buildFailed(Reload reload, HotReloadException failure) {
    each(l -> l.buildFailed(reload, failure));
  }

  @Override
  public void transferStart(Reload reload, List<Destination> destinations) {
    each(l -> l.transferStart(reload, destinations));
  }

  @Override
  public void transferEnd(Reload reload, long bytesSent) {
    each(l -> l.transferEnd(reload, bytesSent));
  }

  @Override
  public void transferFailed(Reload reload, HotReloadException failure) {
    each(l -> l.transferFailed(reload, failure));
  }

  @Override
  public void restartStart(Reload reload) {
    each(l -> l.restartStart(reload));
  }

  @Override
  public void restartEnd(Reload reload) {
    each(l -> l.restartEnd(reload));
  }

  @Override
  public void restartFailed(Reload reload, HotReloadException failure) {
    each(l -> l.restartFailed(reload, failure));
  }

  @Override
  public void readyStart(Reload reload) {
    each(l -> l.readyStart(reload));
  }

  @Override
  public void readyEnd(Reload reload) {
    each(l -> l.readyEnd(reload));
  }

  @Override
  public void readyFailed(Reload reload, HotReloadException failure) {
    each(l -> l.readyFailed(reload, failure));
  }

  @Override
  public void reloadEnd(Reload reload, ReloadReport report) {
    each(l -> l.reloadEnd(reload, report));
  }

  @Override
  public void reloadFailed(Reload reload, ReloadReport report) {
    each(l -> l.reloadFailed(reload, report));
  }

  @Override
  public void output(Destination destination, String line) {
    each(l -> l.output(destination, line));
  }

  @Override
  public void log(LogEvent event) {
    each(l -> l.log(event));
  }
}
