package dev.hotreload.core.build;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Where hotreload keeps binaries and compiled agents, like ko's {@code KOCACHE}. */
public final class CacheDirectory {
  private CacheDirectory() {}

  /**
   * {@code HOTRELOAD_CACHE} if set, else the per-user cache directory: {@code
   * $XDG_CACHE_HOME/hotreload}, {@code ~/.cache/hotreload}, or {@code ~/Library/Caches/hotreload}
   * on macOS.
   *
   * @return the directory (not created)
   */
  public static Path resolve() {
    return resolve(System.getenv(), System.getProperty("os.name", ""),
        System.getProperty("user.home"));
  }

  /**
   * Where built binaries go, so that ko and hotreload share them: {@code KOCACHE} when set
   * (ko then writes {@code $KOCACHE/bin/<import path>/<os>/<arch>/out} too), else {@link
   * #resolve()}. ko itself builds into a temporary directory when {@code KOCACHE} is unset, so
   * there is no ko location to share without it.
   *
   * @return the directory under which {@code bin/} lives (not created)
   */
  public static Path binaries() {
    return binaries(System.getenv(), System.getProperty("os.name", ""),
        System.getProperty("user.home"));
  }

  static Path binaries(Map<String, String> env, String osName, String home) {
    String ko = env.get("KOCACHE");
    if (ko != null && !ko.isBlank()) {
      return Path.of(ko);
    }
    return resolve(env, osName, home);
  }

  static Path resolve(Map<String, String> env, String osName, String home) {
    String explicit = env.get("HOTRELOAD_CACHE");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    if (osName.toLowerCase(Locale.ROOT).contains("mac")) {
      return Path.of(home, "Library", "Caches", "hotreload");
    }
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "hotreload");
    }
    return Path.of(home, ".cache", "hotreload");
  }
}
