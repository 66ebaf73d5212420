package dev.hotreload.core.agent;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The long-lived installs a transport keeps open, one per container: each runs {@code agent
 * install --stream}, so a reload pays for starting an exec (API server or engine, runtime,
 * process) once per container instead of once per reload. A channel opens in the background
 * after a container's first delivery; a reload never waits for one that is still opening, and a
 * channel that broke is dropped so the reload goes through an exec of its own. Thread-safe.
 *
 * @param <C> the transport's channel
 */
public final class AgentChannels<C extends AgentChannels.Channel> implements Closeable {

  /** One open install in one container. */
  public interface Channel extends Closeable {
    /**
     * Whether it can take an install.
     *
     * @return false once its exec ended or an install broke its framing
     */
    boolean usable();

    /**
     * Sends one payload and reads the agent's answer.
     *
     * @param payload header and bytes
     * @param afterSent runs once the payload is sent
     * @param timeout how long the answer may take
     * @return the answer
     * @throws IOException if the channel broke or did not answer in time
     */
    AgentProtocol.InstallResult install(AgentProtocol.Payload payload, Runnable afterSent,
        Duration timeout) throws IOException;

    @Override
    void close();
  }

  /** Opens a channel; runs in the background. */
  @FunctionalInterface
  public interface Opener<C> {
    /**
     * Opens it.
     *
     * @return the open channel
     * @throws IOException if the exec is refused or does not open
     */
    C open() throws IOException;
  }

  private static final ExecutorService OPENER = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "hotreload-channel-open");
    thread.setDaemon(true);
    return thread;
  });

  private final Map<String, CompletableFuture<C>> channels = new ConcurrentHashMap<>();

  /**
   * Installs over the container's open channel, if it has a usable one.
   *
   * @param container the container's id
   * @param payload header and bytes
   * @param sent runs once the payload is sent
   * @param timeout how long the answer may take
   * @return the agent's answer; empty when there is no usable channel yet
   * @throws IOException if the channel broke (it is dropped); the caller delivers another way
   */
  public Optional<AgentProtocol.InstallResult> install(String container,
      AgentProtocol.Payload payload, Runnable sent, Duration timeout) throws IOException {
    C channel = usable(container);
    if (channel == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(channel.install(payload, sent, timeout));
    } catch (IOException e) {
      channels.remove(container);
      throw e;
    }
  }

  private C usable(String container) {
    CompletableFuture<C> opening = channels.get(container);
    if (opening == null || !opening.isDone() || opening.isCompletedExceptionally()) {
      return null; // still opening: this reload does not wait for it
    }
    C channel = opening.join();
    if (!channel.usable()) {
      channels.remove(container, opening);
      channel.close();
      return null;
    }
    return channel;
  }

  /**
   * Opens a channel to the container in the background, unless one is open or opening.
   *
   * @param container the container's id
   * @param opener opens it
   */
  public void keepOpen(String container, Opener<C> opener) {
    channels.compute(container, (id, existing) -> {
      if (existing != null && (!existing.isDone()
          || (!existing.isCompletedExceptionally() && existing.join().usable()))) {
        return existing;
      }
      return CompletableFuture.supplyAsync(() -> {
        try {
          return opener.open();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, OPENER);
    });
  }

  /** Ends the open channels; later deliveries open new ones. */
  @Override
  public void close() {
    List.copyOf(channels.values()).forEach(opening -> opening.thenAccept(Channel::close));
    channels.clear();
  }
}
