package dev.hotreload.spi;

import dev.hotreload.Platform;
import java.util.Objects;

/**
 * What a target is opened with.
 *
 * @param platform the platform binaries are built for; targets refuse destinations that cannot
 *     run it
 * @param events where the target reports new destinations, application output and diagnostics
 */
public record TargetRequest(Platform platform, TargetEvents events) {
  /** Checks the fields. */
  public TargetRequest {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(events, "events");
  }
}
