package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheDirectoryTest {
  @Test
  void hotreloadCache_winsOverEverything() {
    assertThat(CacheDirectory.resolve(Map.of("HOTRELOAD_CACHE", "/c", "XDG_CACHE_HOME", "/x"),
        "Linux", "/home/dev")).isEqualTo(Path.of("/c"));
  }

  @Test
  void linux_usesXdgThenHome_macUsesLibraryCaches() {
    assertThat(CacheDirectory.resolve(Map.of("XDG_CACHE_HOME", "/x"), "Linux", "/home/dev"))
        .isEqualTo(Path.of("/x/hotreload"));
    assertThat(CacheDirectory.resolve(Map.of(), "Linux", "/home/dev"))
        .isEqualTo(Path.of("/home/dev/.cache/hotreload"));
    assertThat(CacheDirectory.resolve(Map.of(), "Mac OS X", "/Users/dev"))
        .isEqualTo(Path.of("/Users/dev/Library/Caches/hotreload"));
  }

  @Test
  void binaries_goWhereKoPutsThem_whenKocacheIsSet() {
    assertThat(CacheDirectory.binaries(Map.of("KOCACHE", "/ko", "HOTRELOAD_CACHE", "/c"),
        "Linux", "/home/dev")).isEqualTo(Path.of("/ko"));
    assertThat(CacheDirectory.binaries(Map.of("HOTRELOAD_CACHE", "/c"), "Linux", "/home/dev"))
        .as("without KOCACHE ko has no cache to share").isEqualTo(Path.of("/c"));
  }
}
