package dev.hotreload.k8s.internal;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;

/**
 * Turns Nagle's algorithm off on a client's sockets, as Go's net package does on every TCP
 * connection. OkHttp leaves it on, and an exec message or a port-forwarded request written
 * while the API server has not yet acknowledged the previous one waits for that delayed
 * acknowledgement: 40-45 ms of each reload's round trip to the agent on the local cluster
 * (65 ms → 25 ms with it off).
 */
public final class NoDelaySockets extends SocketFactory {
  private final SocketFactory delegate;

  private NoDelaySockets(SocketFactory delegate) {
    this.delegate = delegate;
  }

  /**
   * Makes the client open its new connections with {@code TCP_NODELAY}; a client that already
   * does is left as it is. The client's other settings stay: only its socket factory changes.
   *
   * @param client the client, changed in place
   * @return the client
   */
  public static ApiClient apply(ApiClient client) {
    synchronized (client) {
      OkHttpClient http = client.getHttpClient();
      if (!(http.socketFactory() instanceof NoDelaySockets)) {
        client.setHttpClient(http.newBuilder()
            .socketFactory(new NoDelaySockets(http.socketFactory())).build());
      }
    }
    return client;
  }

  private static Socket noDelay(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    return noDelay(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return noDelay(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return noDelay(delegate.createSocket(address, port, localAddress, localPort));
  }
}
