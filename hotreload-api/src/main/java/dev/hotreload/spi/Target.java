package dev.hotreload.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * The places a binary must go, kept live: a local process, the containers of one pod, every
 * replica of a Deployment.
 *
 * <p>{@link #open} is called once per session, on the session's coordinator thread, and may
 * block (to resolve pods or start watches). The returned handle is then used from that thread
 * only, except that the target may call the request's {@link TargetEvents} from any thread.
 */
@FunctionalInterface
public interface Target {

  /**
   * Starts tracking the destinations.
   *
   * @param request the platform built for and where to report changes
   * @return a handle whose {@link TargetHandle#destinations()} is the current live set
   * @throws IOException if the target cannot be resolved (no such pod, no access)
   */
  TargetHandle open(TargetRequest request) throws IOException;

  /**
   * How this target's destinations are delivered to when the session sets no transport: a
   * target knows the kind of destinations it creates, so it names the transport that reaches
   * them (a Kubernetes target the exec transport, a local process target the local one).
   *
   * @return the transport, or empty when the session must set one
   */
  default Optional<Transport> defaultTransport() {
    return Optional.empty();
  }
}
