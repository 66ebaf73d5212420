package dev.hotreload.k8s.pod;

import dev.hotreload.k8s.internal.NoDelaySockets;
import io.kubernetes.client.PortForward;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A port on this machine's loopback that reaches a port of a pod, like {@code kubectl
 * port-forward}, for any number of connections. Each connection gets its own port-forward
 * websocket (client-java opens one per call), and the pod is looked up again for every
 * connection, so a forward to a Deployment survives its pods being replaced.
 *
 * <pre>{@code
 * try (PortForwarder forward = PortForwarder.toPod(client, "default", "hello-7d9c", 8080)) {
 *   URI uri = URI.create("http://127.0.0.1:" + forward.localPort() + "/");
 * }
 * }</pre>
 */
public final class PortForwarder implements Closeable {
  private final ApiClient client;
  private final String namespace;
  private final Supplier<String> podName;
  private final int remotePort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private PortForwarder(ApiClient client, String namespace, Supplier<String> podName,
      int localPort, int remotePort) throws IOException {
    this.client = NoDelaySockets.apply(client);
    this.namespace = namespace;
    this.podName = podName;
    this.remotePort = remotePort;
    try {
      this.server = new ServerSocket(localPort, 50, InetAddress.getLoopbackAddress());
    } catch (java.net.BindException e) {
      throw new IOException("Local port " + localPort + " is in use: choose another for the "
          + "port-forward to port " + remotePort + " of " + namespace, e);
    }
    Thread accept = new Thread(this::acceptLoop, "hotreload-forward-" + remotePort);
    accept.setDaemon(true);
    accept.start();
  }

  /**
   * Forwards to one pod.
   *
   * @param client the API client
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param port the pod's port
   * @return the running forwarder
   * @throws IOException if no local port can be opened
   */
  public static PortForwarder toPod(ApiClient client, String namespace, String pod, int port)
      throws IOException {
    return new PortForwarder(client, namespace, () -> pod, 0, port);
  }

  /**
   * Forwards to whichever pod {@code podName} names at the time of each connection.
   *
   * @param client the API client
   * @param namespace the namespace
   * @param podName chooses the pod per connection
   * @param port the pod's port
   * @return the running forwarder
   * @throws IOException if no local port can be opened
   */
  public static PortForwarder toPods(ApiClient client, String namespace,
      Supplier<String> podName, int port) throws IOException {
    return new PortForwarder(client, namespace, podName, 0, port);
  }

  /**
   * Forwards a fixed local port to whichever pod {@code podName} names at the time of each
   * connection, as {@code kubectl port-forward deployment/x LOCAL:REMOTE} does; a replaced pod
   * is reached through the same local port.
   *
   * @param client the API client
   * @param namespace the namespace
   * @param podName chooses the pod per connection
   * @param localPort the port on 127.0.0.1, or 0 for any free one
   * @param remotePort the pod's port
   * @return the running forwarder
   * @throws IOException if the local port is in use
   */
  public static PortForwarder toPods(ApiClient client, String namespace,
      Supplier<String> podName, int localPort, int remotePort) throws IOException {
    return new PortForwarder(client, namespace, podName, localPort, remotePort);
  }

  /**
   * The local port.
   *
   * @return the port on 127.0.0.1
   */
  public int localPort() {
    return server.getLocalPort();
  }

  /**
   * The local address.
   *
   * @return 127.0.0.1 and the local port
   */
  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort());
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        Thread connection = new Thread(() -> serve(socket), "hotreload-forward-conn");
        connection.setDaemon(true);
        connection.start();
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void serve(Socket socket) {
    PortForward.PortForwardResult forward = null;
    try (socket) {
      socket.setTcpNoDelay(true); // as kubectl's, whose Go sockets all have it
      forward = new PortForward(client).forward(namespace, podName.get(), List.of(remotePort));
      InputStream fromPod = forward.getInputStream(remotePort);
      OutputStream toPod = forward.getOutboundStream(remotePort);
      Thread upstream = pump(socket.getInputStream(), toPod, true);
      pump(fromPod, socket.getOutputStream(), false).join();
      upstream.interrupt();
    } catch (IOException | ApiException | RuntimeException e) {
      // the connection just closes, as kubectl's does when the pod is gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(socket);
      if (forward != null) {
        forward.close();
      }
    }
  }

  private static Thread pump(InputStream in, OutputStream out, boolean closeOutput) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        if (closeOutput) {
          try {
            out.close();
          } catch (IOException e) {
            // already closed
          }
        }
      }
    }, "hotreload-forward-pump");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
