package dev.hotreload.core.internal.image;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code SOURCE_DATE_EPOCH}, the reproducible-builds convention ko follows: the image's creation
 * time and its files' times, in whole seconds since 1970.
 */
public final class SourceDateEpoch {
  /** The variable's name. */
  public static final String NAME = "SOURCE_DATE_EPOCH";

  private SourceDateEpoch() {}

  /**
   * Reads the variable's value.
   *
   * @param value the value, null or blank when unset
   * @return the time, empty when unset
   * @throws IllegalArgumentException quoting the value if it is not a whole number of seconds
   */
  public static Optional<Instant> parse(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds < 0) {
        throw new NumberFormatException();
      }
      return Optional.of(Instant.ofEpochSecond(seconds));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(NAME + " '" + value + "' is not a whole, non-negative "
          + "number of seconds since 1970-01-01T00:00:00Z (like `git log -1 --format=%ct`)");
    }
  }
}
