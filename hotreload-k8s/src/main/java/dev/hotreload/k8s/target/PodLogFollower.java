package dev.hotreload.k8s.target;

import dev.hotreload.LogEvent;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.spi.TargetEvents;
import io.kubernetes.client.PodLogs;
import io.kubernetes.client.openapi.ApiException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** Follows one container's log; a failed stream is reported, never a failed reload. */
final class PodLogFollower {
  private final PodContainer destination;
  private final Integer sinceSeconds;
  private final TargetEvents events;
  // A follower the watcher starts while it closes misses the close's stop: it asks instead.
  private final BooleanSupplier watcherClosed;
  private final Thread reader;
  private volatile boolean stopped;
  private volatile InputStream stream;

  PodLogFollower(PodContainer destination, Integer sinceSeconds, TargetEvents events,
      BooleanSupplier watcherClosed) {
    this.destination = destination;
    this.sinceSeconds = sinceSeconds;
    this.events = events;
    this.watcherClosed = watcherClosed;
    this.reader = new Thread(this::follow, "hotreload-logs-" + destination.pod());
    reader.setDaemon(true);
  }

  void start() {
    reader.start();
  }

  private void follow() {
    Integer since = sinceSeconds;
    while (!stopped && !watcherClosed.getAsBoolean()) {
      try (InputStream in = new PodLogs(destination.client()).streamNamespacedPodLog(
          destination.namespace(), destination.pod(), destination.container(), since, null,
          false)) {
        stream = in;
        if (stopped) {
          return;
        }
        BufferedReader lines = new BufferedReader(
            new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null && !stopped;
            line = lines.readLine()) {
          events.output(destination, line);
        }
        return; // the container ended; a restarted one gets a follower of its own
      } catch (java.io.InterruptedIOException e) {
        // A client with a read timeout gives up on a quiet log: nothing was missed in the
        // quiet time, so carry on from the last second.
        since = 1;
      } catch (IOException | ApiException | RuntimeException e) {
        if (!stopped && !watcherClosed.getAsBoolean()) {
          events.log(LogEvent.debug("Following the log of " + destination.id()
              + " stopped: " + e));
        }
        return;
      }
    }
  }

  void stop() {
    stopped = true;
    InputStream in = stream;
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    reader.interrupt();
  }
}
