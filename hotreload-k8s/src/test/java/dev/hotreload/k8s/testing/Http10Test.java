package dev.hotreload.k8s.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class Http10Test {

  @Test
  void aBodyOfItsContentLength_isReturnedWithoutWaitingForTheClose() throws Exception {
    // The server holds the connection open past Http10's 2 s read timeout, as a port-forward
    // does for about a second after the app closed its end.
    try (Server server = new Server("HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\nsoak save 7")) {
      assertThat(Http10.get(server.port())).isEqualTo("soak save 7");
    }
  }

  @Test
  void withoutContentLength_theBodyRunsToTheClose() throws Exception {
    try (Server server = new Server("HTTP/1.0 200 OK\r\n\r\nto the end", 0)) {
      assertThat(Http10.get(server.port())).isEqualTo("to the end");
    }
  }

  @Test
  void anErrorStatus_isNoAnswer() throws Exception {
    try (Server server = new Server("HTTP/1.0 503 Service Unavailable\r\nContent-Length: 4\r\n"
        + "\r\nbusy")) {
      assertThat(Http10.get(server.port())).isNull();
    }
  }

  /** Answers one request with {@code response}, then keeps the connection for a while. */
  private static final class Server implements AutoCloseable {
    private final ServerSocket socket;
    private final CountDownLatch done = new CountDownLatch(1);

    Server(String response) throws Exception {
      this(response, 5_000);
    }

    Server(String response, long holdMillis) throws Exception {
      socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      Thread thread = new Thread(() -> {
        try (Socket client = socket.accept()) {
          client.getInputStream().read(new byte[1024]);
          OutputStream out = client.getOutputStream();
          out.write(response.getBytes(StandardCharsets.UTF_8));
          out.flush();
          done.await(holdMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          // the test ended
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      done.countDown();
      socket.close();
    }
  }
}
