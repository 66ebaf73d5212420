package dev.hotreload.k8s.dev;

import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every workload that runs one service's image, as one target: the union of their pods. Log
 * lines and app output carry the service's name, so that the lines of several services can be
 * told apart in one listener.
 */
final class ServiceTarget implements Target {
  private final String service;
  private final List<? extends Target> workloads;

  ServiceTarget(String service, List<? extends Target> workloads) {
    if (workloads.isEmpty()) {
      throw new IllegalArgumentException("Service " + service + " runs in no workload");
    }
    this.service = service;
    this.workloads = List.copyOf(workloads);
  }

  @Override
  public Optional<Transport> defaultTransport() {
    return workloads.get(0).defaultTransport();
  }

  @Override
  public TargetHandle open(TargetRequest request) throws IOException {
    TargetEvents named = new NamedEvents(service, request.events());
    List<TargetHandle> handles = new ArrayList<>();
    try {
      for (Target workload : workloads) {
        handles.add(workload.open(new TargetRequest(request.platform(), named)));
      }
    } catch (IOException | RuntimeException e) {
      for (TargetHandle opened : handles) {
        closeQuietly(opened);
      }
      throw e;
    }
    return new TargetHandle() {
      @Override
      public List<Destination> destinations() {
        List<Destination> all = new ArrayList<>();
        handles.forEach(h -> all.addAll(h.destinations()));
        return all;
      }

      @Override
      public void close() throws IOException {
        IOException first = null;
        for (TargetHandle handle : handles) {
          try {
            handle.close();
          } catch (IOException e) {
            first = first == null ? e : first;
          }
        }
        if (first != null) {
          throw first;
        }
      }
    };
  }

  private static void closeQuietly(TargetHandle handle) {
    try {
      handle.close();
    } catch (IOException | RuntimeException e) {
      // opening failed already; that failure is the one to report
    }
  }

  @Override
  public String toString() {
    return service + " " + workloads;
  }

  /** Passes events on, with the service's name on what people read. */
  private record NamedEvents(String service, TargetEvents events) implements TargetEvents {
    @Override
    public void destinationsAdded(List<Destination> added) {
      events.destinationsAdded(added);
    }

    @Override
    public void output(Destination destination, String line) {
      events.output(new Named(service, destination), line);
    }

    @Override
    public void log(LogEvent event) {
      events.log(new LogEvent(event.level(), service + ": " + event.message()));
    }
  }

  /** A destination shown as {@code service pod/…}, for output lines only. */
  private record Named(String service, Destination destination) implements Destination {
    @Override
    public String id() {
      return service + " " + destination.id();
    }

    @Override
    public Optional<Platform> platform() {
      return destination.platform();
    }

    @Override
    public InetSocketAddress localAddress(int port) throws IOException {
      return destination.localAddress(port);
    }
  }
}
