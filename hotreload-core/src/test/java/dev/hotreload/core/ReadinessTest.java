package dev.hotreload.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.core.contract.ReadinessCheckContract;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.ReadinessCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  private ServerSocket server;
  private final List<Socket> held = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();

  /**
   * Like an app behind a port-forward: answers the first request on a connection, says
   * keep-alive, then never answers on that connection again and never closes it.
   */
  private int start(String status) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          held.add(socket);
          InputStream in = socket.getInputStream();
          int matched = 0;
          while (matched < 4) {
            int b = in.read();
            if (b < 0) {
              break;
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
          }
          requests.incrementAndGet();
          OutputStream out = socket.getOutputStream();
          out.write(("HTTP/1.1 " + status + "\r\nContent-Length: 2\r\nConnection: keep-alive"
              + "\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          return;
        }
      }
    });
    accept.setDaemon(true);
    accept.start();
    return server.getLocalPort();
  }

  private static Destination at(int port) {
    return new Destination() {
      @Override
      public String id() {
        return "test";
      }

      @Override
      public InetSocketAddress localAddress(int p) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      }
    };
  }

  private static int closedPort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  @Nested
  class HttpGetHonoursTheContract extends ReadinessCheckContract {
    @Override
    protected ReadinessCheck check() {
      return Readiness.httpGet(8080, "/healthz");
    }

    @Override
    protected Destination readyDestination() throws IOException {
      return at(start("200 OK"));
    }

    @Override
    protected Destination neverReadyDestination() throws IOException {
      return at(start("503 Service Unavailable"));
    }
  }

  @Nested
  class TcpHonoursTheContract extends ReadinessCheckContract {
    @Override
    protected ReadinessCheck check() {
      return Readiness.tcp(8080);
    }

    @Override
    protected Destination readyDestination() throws IOException {
      return at(start("200 OK"));
    }

    @Override
    protected Destination neverReadyDestination() throws IOException {
      return at(closedPort());
    }
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    for (Socket s : held) {
      s.close();
    }
  }

  @Test
  void httpGet_probesOnAFreshConnectionEachTime_soAStalledKeptAliveOneCannotHangIt()
      throws Exception {
    int port = start("200 OK");
    ReadinessCheck check = Readiness.httpGet(8080, "/healthz");

    for (int i = 0; i < 3; i++) {
      check.await(at(port), Duration.ofSeconds(1));
    }

    assertThat(requests).hasValue(3);
  }

  @Test
  void httpGet_serverErrors_areNotReady() throws Exception {
    int port = start("503 Service Unavailable");

    assertThatThrownBy(() -> Readiness.httpGet(8080, "/healthz")
        .await(at(port), Duration.ofMillis(300)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("not ready (http 8080/healthz)");
  }

  @Test
  void httpGet_refusesAPathThatWouldBreakTheRequestLine() {
    assertThatThrownBy(() -> Readiness.httpGet(8080, "/a b"))
        .hasMessageContaining("'/a b'");
  }
}
