package dev.hotreload.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShapedLinkTest {
  private ServerSocket echo;

  /** Echoes every connection's bytes back, reversed in nothing: exactly what came. */
  private InetSocketAddress startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread t = new Thread(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException e) {
              // closed
            }
          });
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    accept.setDaemon(true);
    accept.start();
    return new InetSocketAddress(echo.getInetAddress(), echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    if (echo != null) {
      echo.close();
    }
  }

  private static byte[] roundTrip(InetSocketAddress via, byte[] data) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(via);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          s.getOutputStream().write(data);
          s.shutdownOutput();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      byte[] back = s.getInputStream().readAllBytes();
      writer.join();
      return back;
    }
  }

  @Test
  void bytesPassUnchangedBothWays_onSeveralConnectionsAtOnce() throws Exception {
    try (ShapedLink link = ShapedLink.start(startEcho(), 400_000_000L, Duration.ofMillis(2))) {
      List<CompletableFuture<Boolean>> checks = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        byte[] data = new byte[300_000 + i];
        new Random(i).nextBytes(data);
        checks.add(CompletableFuture.supplyAsync(() -> {
          try {
            byte[] back = roundTrip(link.localAddress(), data);
            if (!java.util.Arrays.equals(back, data)) {
              System.err.println("sent " + data.length + " got " + back.length + " mismatch at "
                  + java.util.Arrays.mismatch(back, data));
            }
            return java.util.Arrays.equals(back, data);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      for (CompletableFuture<Boolean> check : checks) {
        assertThat(check.get()).isTrue();
      }
    }
  }

  @Test
  void close_releasesThePort() throws Exception {
    ShapedLink link = ShapedLink.start(startEcho(), 1_000_000L, Duration.ZERO);
    InetSocketAddress address = link.localAddress();
    link.close();
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(address, 1000);
      }
    }).isInstanceOf(IOException.class);
  }

  @Test
  void nonsenseRates_areRefusedWithWhatWasGiven() {
    assertThatThrownBy(() -> ShapedLink.start(new InetSocketAddress(1), 0, Duration.ZERO))
        .hasMessageContaining("0 bit/s");
  }
}
