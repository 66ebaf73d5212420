package dev.hotreload.spi;

import dev.hotreload.Platform;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One place a binary must go: a local process, or one container of one pod. Targets create
 * destinations; transports deliver to them and may require their own subtype.
 *
 * <p>Implementations are immutable value objects; two destinations with the same {@link #id()}
 * are the same place (the same container incarnation).
 */
public interface Destination {

  /**
   * A stable, readable id, unique within a target, for example {@code
   * pod/default/hello-7d9c/app#restart=0}.
   *
   * @return the id
   */
  String id();

  /**
   * The platform the destination runs, when known (a Kubernetes node reports it).
   *
   * @return the platform, or empty if unknown
   */
  default Optional<Platform> platform() {
    return Optional.empty();
  }

  /**
   * An address on this machine that reaches {@code port} of the destination, for readiness
   * checks: the loopback for a local process, a port-forward for a pod.
   *
   * @param port the destination's port
   * @return a local address
   * @throws IOException if the destination cannot be reached that way
   */
  default InetSocketAddress localAddress(int port) throws IOException {
    throw new IOException(
        "Destination " + id() + " offers no local address for port " + port
            + "; use a readiness check that runs inside the destination");
  }
}
