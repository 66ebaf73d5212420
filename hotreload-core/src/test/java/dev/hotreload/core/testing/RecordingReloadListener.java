package dev.hotreload.core.testing;

import dev.hotreload.Artifact;
import dev.hotreload.HotReloadException;
import dev.hotreload.LogEvent;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.spi.Destination;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every callback as {@code "#<sequence> <method>"}, after OkHttp's {@code EventRecorder},
 * so a test can assert the exact sequence of a reload.
 */
public final class RecordingReloadListener extends ReloadListener {
  private final List<String> events = new ArrayList<>();
  private final List<String> output = new ArrayList<>();
  private final List<LogEvent> logs = new ArrayList<>();

  private synchronized void record(Reload reload, String name) {
    events.add(reload.id() + " " + name);
  }

  /**
   * The callbacks of one reload, in order.
   *
   * @param sequence the reload's sequence
   * @return method names
   */
  public synchronized List<String> eventsOf(long sequence) {
    String prefix = "#" + sequence + " ";
    return events.stream().filter(e -> e.startsWith(prefix))
        .map(e -> e.substring(prefix.length())).toList();
  }

  /**
   * Every callback so far.
   *
   * @return {@code "#n method"} entries
   */
  public synchronized List<String> events() {
    return List.copyOf(events);
  }

  /**
   * Lines the application printed.
   *
   * @return the lines
   */
  public synchronized List<String> output() {
    return List.copyOf(output);
  }

  /**
   * Log events.
   *
   * @return the events
   */
  public synchronized List<LogEvent> logs() {
    return List.copyOf(logs);
  }

  @Override
  public void reloadStart(Reload reload) {
    record(reload, "reloadStart");
  }

  @Override
  public void changesDetected(Reload reload) {
    record(reload, "changesDetected");
  }

  @Override
  public void buildStart(Reload reload) {
    record(reload, "buildStart");
  }

  @Override
  public void buildEnd(Reload reload, Artifact artifact) {
    record(reload, "buildEnd");
  }

  @Override
  public void buildFailed(Reload reload, HotReloadException failure) {
    record(reload, "buildFailed");
  }

  @Override
  public void transferStart(Reload reload, List<Destination> destinations) {
    record(reload, "transferStart");
  }

  @Override
  public void transferEnd(Reload reload, long bytesSent) {
    record(reload, "transferEnd");
  }

  @Override
  public void transferFailed(Reload reload, HotReloadException failure) {
    record(reload, "transferFailed");
  }

  @Override
  public void restartStart(Reload reload) {
    record(reload, "restartStart");
  }

  @Override
  public void restartEnd(Reload reload) {
    record(reload, "restartEnd");
  }

  @Override
  public void restartFailed(Reload reload, HotReloadException failure) {
    record(reload, "restartFailed");
  }

  @Override
  public void readyStart(Reload reload) {
    record(reload, "readyStart");
  }

  @Override
  public void readyEnd(Reload reload) {
    record(reload, "readyEnd");
  }

  @Override
  public void readyFailed(Reload reload, HotReloadException failure) {
    record(reload, "readyFailed");
  }

  @Override
  public void reloadEnd(Reload reload, ReloadReport report) {
    record(reload, "reloadEnd");
  }

  @Override
  public void reloadFailed(Reload reload, ReloadReport report) {
    record(reload, "reloadFailed");
  }

  @Override
  public synchronized void output(Destination destination, String line) {
    output.add(line);
  }

  @Override
  public synchronized void log(LogEvent event) {
    logs.add(event);
  }
}
