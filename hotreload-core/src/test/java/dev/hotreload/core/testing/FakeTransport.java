package dev.hotreload.core.testing;

import dev.hotreload.Phase;
import dev.hotreload.RestartFailedException;
import dev.hotreload.spi.DataRequest;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A transport that "installs" by reading the artifact's content into a map per destination, so a
 * test sees which build each destination runs. Destinations can be made to refuse.
 */
public final class FakeTransport implements Transport {
  private final Map<String, String> running = new HashMap<>();
  private final List<String> deliveries = new ArrayList<>();
  private final Set<String> refusing = ConcurrentHashMap.newKeySet();
  private final Set<String> crashing = ConcurrentHashMap.newKeySet();
  private final List<String> dataDeliveries = new ArrayList<>();

  /**
   * Makes a destination refuse the bytes (a transfer failure).
   *
   * @param id the destination
   */
  public void refuse(String id) {
    refusing.add(id);
  }

  /**
   * Makes a refusing destination take deliveries again, as a connection that came back.
   *
   * @param id the destination
   */
  public void accept(String id) {
    refusing.remove(id);
  }

  /**
   * Makes a destination accept the bytes but fail to restart.
   *
   * @param id the destination
   */
  public void crashOnRestart(String id) {
    crashing.add(id);
  }

  @Override
  public TransferResult transfer(TransferRequest request) throws IOException {
    String id = request.destination().id();
    if (refusing.contains(id)) {
      throw new IOException("connection refused by " + id);
    }
    String content = Files.readString(request.artifact().path(), StandardCharsets.UTF_8);
    request.progress().sent(request.artifact().size());
    if (crashing.contains(id)) {
      throw new RestartFailedException(id + ": new binary exited with 2 at start",
          Phase.RESTART, id, request.artifact().platform(), FakeTransport.class, null);
    }
    synchronized (this) {
      running.put(id, content);
      deliveries.add(id + " <- " + content);
    }
    return new TransferResult(request.artifact().size(), Duration.ofMillis(1), "ok");
  }

  /**
   * What each destination runs now.
   *
   * @return destination id to artifact content ("build n")
   */
  public synchronized Map<String, String> running() {
    return Map.copyOf(running);
  }

  /**
   * Every delivery in order.
   *
   * @return "id <- build n" entries
   */
  public synchronized List<String> deliveries() {
    return List.copyOf(deliveries);
  }

  @Override
  public boolean transfersData() {
    return true;
  }

  @Override
  public synchronized TransferResult transferData(DataRequest request) throws IOException {
    String id = request.destination().id();
    if (refusing.contains(id)) {
      throw new IOException("connection refused by " + id);
    }
    dataDeliveries.add(id + " <- " + request.directory().getFileName() + " restart="
        + request.restart());
    return new TransferResult(1, Duration.ZERO, "data");
  }

  /**
   * Every kodata delivery in order.
   *
   * @return "id <- kodata restart=BOOL" entries
   */
  public synchronized List<String> dataDeliveries() {
    return List.copyOf(dataDeliveries);
  }
}
