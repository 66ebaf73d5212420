package dev.hotreload;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An operating system and CPU architecture a binary is built for, written the way Go and OCI
 * images write it: {@code linux/amd64}, {@code linux/arm64/v8}, {@code linux/arm/v7}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param os the Go {@code GOOS}, for example {@code linux}
 * @param architecture the Go {@code GOARCH}, for example {@code arm64}
 * @param variant the OCI variant ({@code v7} for arm, {@code v8} for arm64, {@code v3} for
 *     amd64), empty when none
 */
public record Platform(String os, String architecture, Optional<String> variant) {

  private static final Pattern PART = Pattern.compile("[a-z0-9]+");
  private static final Set<String> KNOWN_OS =
      Set.of("linux", "darwin", "windows", "freebsd", "netbsd", "openbsd", "android", "ios",
          "illumos", "solaris", "aix", "dragonfly", "plan9", "js", "wasip1");
  private static final Set<String> KNOWN_ARCH =
      Set.of("amd64", "arm64", "arm", "386", "ppc64le", "ppc64", "s390x", "riscv64", "mips",
          "mipsle", "mips64", "mips64le", "loong64", "wasm");

  /** {@code linux/amd64}. */
  public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", Optional.empty());

  /** {@code linux/arm64}. */
  public static final Platform LINUX_ARM64 = new Platform("linux", "arm64", Optional.empty());

  /**
   * Creates a platform after checking each part.
   *
   * @throws IllegalArgumentException if a part is empty, not lower-case alphanumeric, or an
   *     operating system or architecture Go does not know
   */
  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(variant, "variant");
    String text = os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    if (!KNOWN_OS.contains(os)) {
      throw new IllegalArgumentException(
          "Platform '" + text + "': unknown operating system '" + os + "'; expected one of "
              + "linux, darwin, windows, … as in `go tool dist list`");
    }
    if (!KNOWN_ARCH.contains(architecture)) {
      throw new IllegalArgumentException(
          "Platform '" + text + "': unknown architecture '" + architecture + "'; expected one of "
              + "amd64, arm64, arm, 386, ppc64le, s390x, riscv64, … as in `go tool dist list`");
    }
    variant.ifPresent(
        v -> {
          if (!PART.matcher(v).matches()) {
            throw new IllegalArgumentException(
                "Platform '" + text + "': variant '" + v + "' must be like v7 or v8");
          }
        });
  }

  /**
   * Parses {@code os/arch} or {@code os/arch/variant}, as {@code docker --platform} and ko's
   * {@code --platform} accept it.
   *
   * @param text the platform, for example {@code linux/arm64}
   * @return the platform
   * @throws IllegalArgumentException if the text is not of that form; the message quotes it
   */
  public static Platform parse(String text) {
    Objects.requireNonNull(text, "platform");
    String trimmed = text.trim().toLowerCase(Locale.ROOT);
    String[] parts = trimmed.split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "Platform '" + text + "' must be os/arch or os/arch/variant, for example linux/arm64");
    }
    for (String part : parts) {
      if (!PART.matcher(part).matches()) {
        throw new IllegalArgumentException(
            "Platform '" + text + "' has an empty or invalid part '" + part
                + "'; write it like linux/amd64 or linux/arm/v7");
      }
    }
    return new Platform(
        parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
  }

  /**
   * Creates a platform without a variant.
   *
   * @param os the Go {@code GOOS}
   * @param architecture the Go {@code GOARCH}
   * @return the platform
   */
  public static Platform of(String os, String architecture) {
    return new Platform(os, architecture, Optional.empty());
  }

  /**
   * The Linux platform with this JVM's CPU architecture: where a container on this machine runs.
   *
   * @return {@code linux/amd64} on x86-64, {@code linux/arm64} on aarch64, and so on
   */
  public static Platform linuxHost() {
    return of("linux", goArch(System.getProperty("os.arch", "amd64")));
  }

  private static String goArch(String javaArch) {
    switch (javaArch.toLowerCase(Locale.ROOT)) {
      case "x86_64":
      case "amd64":
        return "amd64";
      case "aarch64":
      case "arm64":
        return "arm64";
      case "x86":
      case "i386":
      case "i686":
        return "386";
      case "arm":
        return "arm";
      case "ppc64le":
        return "ppc64le";
      case "s390x":
        return "s390x";
      case "riscv64":
        return "riscv64";
      default:
        throw new IllegalStateException(
            "This JVM's architecture '" + javaArch + "' has no Go equivalent; set the platform");
    }
  }

  /**
   * Whether a binary built for this platform runs on {@code other}: same OS and architecture, and
   * the variants agree where both are given.
   *
   * @param other the platform a container or node reports
   * @return true if compatible
   */
  public boolean runsOn(Platform other) {
    return os.equals(other.os)
        && architecture.equals(other.architecture)
        && (variant.isEmpty() || other.variant.isEmpty() || variant.equals(other.variant));
  }

  @Override
  public String toString() {
    return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
  }
}
