package dev.hotreload.core;

import dev.hotreload.spi.Destination;
import dev.hotreload.spi.ReadinessCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Readiness checks, after Testcontainers' {@code Wait}: what "the new code answers" means for a
 * destination. Each polls every 10 ms until it passes or the timeout runs out.
 */
public final class Readiness {
  private static final Duration POLL = Duration.ofMillis(10);

  private Readiness() {}

  /**
   * Ready once the port accepts a TCP connection.
   *
   * @param port the destination's port
   * @return the check
   */
  public static ReadinessCheck tcp(int port) {
    checkPort(port);
    return new Polling("tcp " + port) {
      @Override
      boolean ready(Destination destination) throws IOException {
        InetSocketAddress address = destination.localAddress(port);
        try (Socket socket = new Socket()) {
          socket.connect(address, (int) POLL.toMillis() * 10);
          return true;
        } catch (IOException e) {
          return false;
        }
      }
    };
  }

  /**
   * Ready once {@code GET path} on the port answers with a status below 500.
   *
   * @param port the destination's port
   * @param path the path, like {@code /healthz}
   * @return the check
   */
  public static ReadinessCheck httpGet(int port, String path) {
    checkPort(port);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("Readiness path '" + path + "' must start with /");
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    return new Polling("http " + port + path) {
      @Override
      boolean ready(Destination destination) throws IOException, InterruptedException {
        InetSocketAddress address = destination.localAddress(port);
        URI uri = URI.create("http://" + address.getHostString() + ":" + address.getPort() + path);
        try {
          HttpResponse<Void> response = client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
          return response.statusCode() < 500;
        } catch (IOException e) {
          return false;
        }
      }
    };
  }

  private static void checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Readiness port " + port + " is not in 1..65535");
    }
  }

  private abstract static class Polling implements ReadinessCheck {
    private final String name;

    Polling(String name) {
      this.name = name;
    }

    abstract boolean ready(Destination destination) throws IOException, InterruptedException;

    @Override
    public void await(Destination destination, Duration timeout)
        throws IOException, TimeoutException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!ready(destination)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(destination.id() + " not ready (" + name + ") after "
              + timeout.toMillis() + " ms");
        }
        Thread.sleep(POLL.toMillis());
      }
    }

    @Override
    public String toString() {
      return "Readiness[" + name + "]";
    }
  }
}
