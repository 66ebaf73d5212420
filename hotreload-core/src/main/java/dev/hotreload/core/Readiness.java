package dev.hotreload.core;

import dev.hotreload.spi.Destination;
import dev.hotreload.spi.ReadinessCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readiness checks, after Testcontainers' {@code Wait}: what "the new code answers" means for a
 * destination. Each polls every 10 ms until it passes or the timeout runs out.
 */
public final class Readiness {
  private static final Duration POLL = Duration.ofMillis(10);
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})");

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
   * <p>Every probe is a fresh HTTP/1.0 connection that reads only the status line. A pooled,
   * kept-alive connection would hide the restart it is meant to see: through a port-forward the
   * old process closing its end is not passed on, so a reused connection hangs until its timeout
   * instead of reaching the new process; and the end of the answer never arrives either.
   *
   * @param port the destination's port
   * @param path the path, like {@code /healthz}
   * @return the check
   */
  public static ReadinessCheck httpGet(int port, String path) {
    checkPort(port);
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ')) {
      throw new IllegalArgumentException("Readiness path '" + path + "' must start with / and "
          + "hold no spaces or control characters");
    }
    return new Polling("http " + port + path) {
      @Override
      boolean ready(Destination destination) throws IOException {
        InetSocketAddress address = destination.localAddress(port);
        try (Socket socket = new Socket()) {
          socket.connect(address, 1000);
          socket.setSoTimeout(2000);
          socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: "
              + address.getHostString() + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          Matcher status = STATUS_LINE.matcher(statusLine(socket.getInputStream()));
          return status.lookingAt() && Integer.parseInt(status.group(1)) < 500;
        } catch (IOException e) {
          return false;
        }
      }
    };
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b >= 0 && b != '\n' && line.length() < 1024; b = in.read()) {
      line.append((char) b);
    }
    return line.toString();
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
