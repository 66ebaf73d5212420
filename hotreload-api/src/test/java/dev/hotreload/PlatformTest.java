package dev.hotreload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

  @Test
  void parse_readsOsArchAndVariant() {
    Platform platform = Platform.parse("linux/arm64/v8");

    assertThat(platform.os()).isEqualTo("linux");
    assertThat(platform.architecture()).isEqualTo("arm64");
    assertThat(platform.variant()).contains("v8");
    assertThat(platform).hasToString("linux/arm64/v8");
  }

  @Test
  void parse_withoutVariant_equalsOf() {
    assertThat(Platform.parse(" Linux/AMD64 ")).isEqualTo(Platform.LINUX_AMD64);
    assertThat(Platform.parse("linux/amd64").variant()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"linux", "linux/", "/amd64", "linux/amd64/v8/extra", "linux//v7", ""})
  void parse_malformed_quotesTheInput(String text) {
    assertThatThrownBy(() -> Platform.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void parse_unknownArchitecture_namesIt() {
    assertThatThrownBy(() -> Platform.parse("linux/amd46"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'linux/amd46'")
        .hasMessageContaining("unknown architecture 'amd46'");
  }

  @Test
  void runsOn_ignoresMissingVariantButNotADifferentOne() {
    Platform arm64 = Platform.parse("linux/arm64");

    assertThat(arm64.runsOn(Platform.parse("linux/arm64/v8"))).isTrue();
    assertThat(Platform.parse("linux/arm/v7").runsOn(Platform.parse("linux/arm/v6"))).isFalse();
    assertThat(arm64.runsOn(Platform.LINUX_AMD64)).isFalse();
  }

  @Test
  void linuxHost_isLinuxWithAGoArchitecture() {
    Platform host = Platform.linuxHost();

    assertThat(host.os()).isEqualTo("linux");
    assertThat(host.variant()).isEqualTo(Optional.empty());
  }
}
