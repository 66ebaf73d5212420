package dev.hotreload.k8s.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GET / over a fresh HTTP/1.0 connection per request: through a port-forward a kept-alive
 * connection to a pod that was replaced would hang instead of failing.
 */
public final class Http10 {
  private static final String HEADER_END = "\r\n\r\n";
  private static final Pattern CONTENT_LENGTH =
      Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

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
      String response = readResponse(socket.getInputStream());
      int body = response.indexOf(HEADER_END);
      return response.startsWith("HTTP/1.") && response.contains(" 200 ") && body >= 0
          ? response.substring(body + HEADER_END.length()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Reads up to the end of the body its Content-Length gives, else to the end of the stream:
   * through a port-forward the server's close reaches this end about 1 s after the response
   * (measured: first byte 60–70 ms, end of stream 1,060 ms, every request), which a reader
   * that waits for the close pays on every call.
   */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      read.write(buffer, 0, n);
      String soFar = read.toString(StandardCharsets.ISO_8859_1);
      int headerEnd = soFar.indexOf(HEADER_END);
      if (headerEnd < 0) {
        continue;
      }
      Matcher length = CONTENT_LENGTH.matcher(soFar.substring(0, headerEnd));
      if (length.find()
          && read.size() >= headerEnd + HEADER_END.length() + Long.parseLong(length.group(1))) {
        break;
      }
    }
    return read.toString(StandardCharsets.UTF_8);
  }
}
