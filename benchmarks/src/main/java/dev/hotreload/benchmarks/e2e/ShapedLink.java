package dev.hotreload.benchmarks.e2e;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A slow network between this machine's client and a server on it: a TCP proxy that holds every
 * chunk for half the round-trip time in each direction and paces each direction to a bit rate
 * shared by all connections, like one WAN link. Bytes pass through unchanged (TLS stays end to
 * end).
 *
 * <p>Written here rather than with {@code tc}: this kernel has no netem qdisc (only tbf and htb,
 * which limit rate but cannot add delay), so the delay has to be added in user space; keeping the
 * rate limit beside it gives one model for both.
 */
public final class ShapedLink implements Closeable {
  private static final int CHUNK = 16 * 1024;
  private static final int QUEUED_CHUNKS = 4;
  private static final Chunk END = new Chunk(new byte[0], 0, 0);

  private final InetSocketAddress upstream;
  private final long oneWayDelayNanos;
  private final Pacer toServer;
  private final Pacer toClient;
  private final ServerSocket listener;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ShapedLink(InetSocketAddress upstream, long bitsPerSecond, Duration rtt)
      throws IOException {
    if (bitsPerSecond <= 0 || rtt.isNegative()) {
      throw new IllegalArgumentException("a shaped link needs a positive rate and a round-trip "
          + "time of 0 or more, not " + bitsPerSecond + " bit/s and " + rtt);
    }
    this.upstream = upstream;
    this.oneWayDelayNanos = rtt.toNanos() / 2;
    this.toServer = new Pacer(bitsPerSecond);
    this.toClient = new Pacer(bitsPerSecond);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "shaped-link-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /**
   * Starts a link to a server.
   *
   * @param upstream the server
   * @param bitsPerSecond the rate of each direction
   * @param rtt the round-trip time it adds
   * @return the running link; connect to {@link #localAddress()}
   * @throws IOException if no local port can be opened
   */
  public static ShapedLink start(InetSocketAddress upstream, long bitsPerSecond, Duration rtt)
      throws IOException {
    return new ShapedLink(upstream, bitsPerSecond, rtt);
  }

  /**
   * Where clients connect.
   *
   * @return the loopback address and port
   */
  public InetSocketAddress localAddress() {
    return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        try {
          server.connect(upstream, 5_000);
        } catch (IOException e) {
          client.close();
          continue;
        }
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(server);
        // Both sockets close once both directions have ended.
        Runnable done = new Runnable() {
          private final java.util.concurrent.atomic.AtomicInteger open =
              new java.util.concurrent.atomic.AtomicInteger(2);

          @Override
          public void run() {
            if (open.decrementAndGet() == 0) {
              closeQuietly(client);
              closeQuietly(server);
              sockets.remove(client);
              sockets.remove(server);
            }
          }
        };
        pipe(client, server, toServer, done);
        pipe(server, client, toClient, done);
      } catch (IOException e) {
        if (!closed) {
          System.err.println("shaped link: accept failed: " + e);
        }
      }
    }
  }

  /**
   * Reads as bytes arrive; a second thread releases them after the delay at the link's rate. The
   * queue holds about one bandwidth-delay product, so a sender feels the link's rate as TCP
   * backpressure instead of handing everything to an endless buffer.
   */
  private void pipe(Socket from, Socket to, Pacer pacer, Runnable done) {
    BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
    Thread reader = new Thread(() -> {
      // Not try-with-resources: closing a socket's stream closes the socket, and the other
      // direction may still be carrying the answer to a half-closed request.
      try {
        InputStream in = from.getInputStream();
        byte[] buffer = new byte[CHUNK];
        int n;
        while ((n = in.read(buffer)) > 0) {
          queue.put(new Chunk(Arrays.copyOf(buffer, n), n, System.nanoTime()));
        }
      } catch (IOException e) {
        // The connection ended; the writer closes the other side once the queue drains.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        queue.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shaped-link-read");
    Thread writer = new Thread(() -> {
      try {
        OutputStream out = to.getOutputStream();
        for (Chunk chunk = queue.take(); chunk != END; chunk = queue.take()) {
          sleepUntil(chunk.arrivedNanos() + oneWayDelayNanos);
          pacer.await(chunk.length());
          out.write(chunk.bytes(), 0, chunk.length());
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException | InterruptedException e) {
        closeQuietly(to);
        closeQuietly(from);
      }
      done.run();
    }, "shaped-link-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    sockets.forEach(ShapedLink::closeQuietly);
  }

  private record Chunk(byte[] bytes, int length, long arrivedNanos) {}

  /** The link's serialization: a chunk leaves once the bits before it and its own have. */
  private static final class Pacer {
    private final double nanosPerByte;
    private long freeAt;

    Pacer(long bitsPerSecond) {
      this.nanosPerByte = 8e9 / bitsPerSecond;
    }

    void await(int bytes) throws InterruptedException {
      long done;
      synchronized (this) {
        long start = Math.max(System.nanoTime(), freeAt);
        done = start + (long) (bytes * nanosPerByte);
        freeAt = done;
      }
      sleepUntil(done);
    }
  }
}
