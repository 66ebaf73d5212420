package dev.hotreload.spi;

import java.io.IOException;

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
}
