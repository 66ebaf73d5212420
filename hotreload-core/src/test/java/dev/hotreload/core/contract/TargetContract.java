package dev.hotreload.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Platform;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Target} promises: opening it lists its destinations with stable, unique
 * ids; a destination that appears later is reported through {@link
 * TargetEvents#destinationsAdded}; closing is idempotent; it names the transport that reaches
 * its destinations. Each implementation's test extends this.
 */
public abstract class TargetContract {

  /** A target with at least one destination (the implementation's test sets it up). */
  protected abstract Target target() throws Exception;

  /** How many destinations the target has right after it is opened. */
  protected abstract int initialDestinations();

  /** The transport the target declares, or null when it declares none. */
  protected abstract Class<? extends Transport> declaredTransport();

  /**
   * Makes one new destination appear (a pod scaled up or replaced, a process added).
   *
   * @return false when this kind of target has a fixed set of destinations
   */
  protected abstract boolean addDestination(TargetHandle handle) throws Exception;

  /** How long destinations may take to show up (a pod needs its scheduler and kubelet). */
  protected Duration patience() {
    return Duration.ofSeconds(5);
  }

  @Test
  void open_listsItsDestinations_withUniqueStableIds() throws Exception {
    try (TargetHandle handle = target().open(new TargetRequest(Platform.LINUX_AMD64,
        TargetEvents.NONE))) {
      List<Destination> first = awaitDestinations(handle, initialDestinations());

      List<String> ids = first.stream().map(Destination::id).toList();
      assertThat(ids).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).isNotBlank());
      assertThat(handle.destinations().stream().map(Destination::id).toList())
          .containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  @Test
  void aDestinationThatAppears_isReported_orAFixedTargetReportsNone() throws Exception {
    BlockingQueue<List<Destination>> added = new LinkedBlockingQueue<>();
    TargetEvents events = new TargetEvents() {
      @Override
      public void destinationsAdded(List<Destination> destinations) {
        added.add(List.copyOf(destinations));
      }
    };
    try (TargetHandle handle = target().open(new TargetRequest(Platform.LINUX_AMD64, events))) {
      List<String> before =
          awaitDestinations(handle, initialDestinations()).stream().map(Destination::id).toList();
      added.clear();

      if (addDestination(handle)) {
        List<Destination> reported = added.poll(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(reported).as("destinationsAdded within " + patience()).isNotNull();
        assertThat(reported).extracting(Destination::id).doesNotContainAnyElementsOf(before);
        List<String> now = handle.destinations().stream().map(Destination::id).toList();
        assertThat(now).containsAll(reported.stream().map(Destination::id).toList());
      } else {
        assertThat(added.poll(300, TimeUnit.MILLISECONDS)).as("a fixed target's additions")
            .isNull();
        assertThat(handle.destinations()).extracting(Destination::id)
            .containsExactlyInAnyOrderElementsOf(before);
      }
    }
  }

  @Test
  void close_twice_isQuiet() throws Exception {
    TargetHandle handle = target().open(new TargetRequest(Platform.LINUX_AMD64,
        TargetEvents.NONE));
    awaitDestinations(handle, initialDestinations());

    handle.close();
    handle.close();
  }

  @Test
  void declaresTheTransportThatReachesItsDestinations() throws Exception {
    Class<? extends Transport> expected = declaredTransport();
    if (expected == null) {
      assertThat(target().defaultTransport()).isEmpty();
    } else {
      assertThat(target().defaultTransport()).containsInstanceOf(expected);
    }
  }

  private List<Destination> awaitDestinations(TargetHandle handle, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + patience().toNanos();
    List<Destination> now = handle.destinations();
    while (now.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
      now = handle.destinations();
    }
    assertThat(now).as("destinations within " + patience()).hasSize(count);
    return now;
  }
}
