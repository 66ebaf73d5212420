package dev.hotreload.core.testing;

import dev.hotreload.spi.Destination;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import java.util.ArrayList;
import java.util.List;

/** A target whose destinations the test adds by hand, like pods appearing. */
public final class FakeTarget implements Target {
  private final List<Destination> destinations = new ArrayList<>();
  private volatile TargetEvents events = TargetEvents.NONE;
  private volatile boolean closed;

  /**
   * A target with destinations named as given.
   *
   * @param ids the destinations' ids
   */
  public FakeTarget(String... ids) {
    for (String id : ids) {
      destinations.add(new Named(id));
    }
  }

  @Override
  public synchronized TargetHandle open(TargetRequest request) {
    this.events = request.events();
    return new TargetHandle() {
      @Override
      public List<Destination> destinations() {
        synchronized (FakeTarget.this) {
          return List.copyOf(destinations);
        }
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  /**
   * A new destination appears and the session is told.
   *
   * @param id its id
   * @return the destination
   */
  public Destination add(String id) {
    return add(new Named(id));
  }

  /**
   * A new destination appears and the session is told.
   *
   * @param d the destination
   * @return the destination
   */
  public Destination add(Destination d) {
    synchronized (this) {
      destinations.add(d);
    }
    events.destinationsAdded(List.of(d));
    return d;
  }

  /**
   * Whether the session closed its handle.
   *
   * @return true once closed
   */
  public boolean closed() {
    return closed;
  }

  /** A destination that is just a name. */
  public static class Named implements Destination {
    private final String id;

    /**
     * Names it.
     *
     * @param id the id
     */
    public Named(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }
  }
}
