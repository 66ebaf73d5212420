package dev.hotreload.spi;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import java.io.IOException;

/**
 * Turns a workspace, a main package and a platform into a binary on disk.
 *
 * <p>Called from one thread at a time per session. {@link #build} blocks; when the session
 * supersedes a build it interrupts the calling thread, and the builder must then stop promptly
 * (kill the compiler) and throw.
 */
@FunctionalInterface
public interface ArtifactBuilder {

  /**
   * Builds the binary.
   *
   * @param request what to build
   * @return the binary, its checksum and size
   * @throws dev.hotreload.BuildFailedException if the code does not compile (with diagnostics)
   * @throws IOException if the toolchain could not run
   */
  Artifact build(BuildRequest request) throws IOException;

  /**
   * Checks, before the session starts watching, that a build can work at all: the toolchain is
   * there and the main package is a main package. Fails fast with a message that says what to
   * fix.
   *
   * @param request what will be built
   * @throws dev.hotreload.BuildFailedException if a build cannot succeed
   * @throws IOException if the check could not run
   */
  default void check(BuildRequest request) throws IOException {}

  /**
   * Whether this builder can build for a platform.
   *
   * @param platform the platform asked for
   * @return true if it can
   */
  default boolean supports(Platform platform) {
    return true;
  }
}
