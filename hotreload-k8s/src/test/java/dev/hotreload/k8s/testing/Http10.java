package dev.hotreload.k8s.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * GET / over a fresh HTTP/1.0 connection per request: through a port-forward a kept-alive
 * connection to a pod that was replaced would hang instead of failing.
 */
public final class Http10 {
  private Http10() {}

  /**
   * The body of {@code GET /} on a loopback port.
   *
   * @param port the port
   * @return the body, or null when nothing answers in time
   */
  public static String get(int port) {
    return get(port, "/");
  }

  /**
   * The body of {@code GET path} on a loopback port.
   *
   * @param port the port
   * @param path such as {@code /kodata}
   * @return the body, or null when nothing answers in time
   */
  public static String get(int port, String path) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      socket.setSoTimeout(2000);
      socket.getOutputStream().write(
          ("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int body = response.indexOf("\r\n\r\n");
      return response.startsWith("HTTP/1.") && response.contains(" 200 ") && body >= 0
          ? response.substring(body + 4) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
