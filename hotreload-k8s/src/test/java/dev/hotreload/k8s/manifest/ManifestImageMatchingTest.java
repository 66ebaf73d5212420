package dev.hotreload.k8s.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ManifestImageMatchingTest {

  @Test
  void aKoReference_matchesTheSameImportPathOnly() {
    ImageMatcher matcher = ImageMatcher.parse("ko://example.com/hello/cmd/server");

    assertThat(matcher.matches("ko://example.com/hello/cmd/server")).isTrue();
    assertThat(matcher.matches(" ko://example.com/hello/cmd/server/ ")).isTrue();
    assertThat(matcher.matches("ko://example.com/hello/cmd/server2")).isFalse();
    assertThat(matcher.matches("ko://example.com/hello")).isFalse();
    assertThat(matcher.matches("example.com/hello/cmd/server")).isFalse();
  }

  @Test
  void anImageName_matchesAnyTagOrDigestOfTheSameRepository() {
    ImageMatcher matcher = ImageMatcher.parse("registry.example.com/team/hello:v1");

    assertThat(matcher.matches("registry.example.com/team/hello")).isTrue();
    assertThat(matcher.matches("registry.example.com/team/hello:v2")).isTrue();
    assertThat(matcher.matches("registry.example.com/team/hello@sha256:" + "0".repeat(64)))
        .isTrue();
    assertThat(matcher.matches("registry.example.com/team/hello:v2@sha256:" + "0".repeat(64)))
        .isTrue();
    assertThat(matcher.matches("registry.example.com/team/hello-worker:v1")).isFalse();
    assertThat(matcher.matches("other.example.com/team/hello:v1")).isFalse();
    assertThat(matcher.matches("ko://registry.example.com/team/hello")).isFalse();
  }

  @Test
  void aRegistryPort_isNotMistakenForATag() {
    ImageMatcher matcher = ImageMatcher.parse("localhost:5000/hello");

    assertThat(matcher.matches("localhost:5000/hello:dev")).isTrue();
    assertThat(matcher.matches("localhost:5001/hello:dev")).isFalse();
    assertThat(matcher.matches("localhost/hello")).isFalse();
  }

  @Test
  void dockerHubShortNames_matchTheirFullSpelling() {
    ImageMatcher matcher = ImageMatcher.parse("nginx");

    assertThat(matcher.matches("nginx:1.27")).isTrue();
    assertThat(matcher.matches("docker.io/library/nginx:1.27")).isTrue();
    assertThat(matcher.matches("index.docker.io/library/nginx")).isTrue();
    assertThat(matcher.matches("bitnami/nginx")).isFalse();
    assertThat(ImageMatcher.parse("bitnami/nginx").matches("docker.io/bitnami/nginx:1")).isTrue();
  }

  @Test
  void blankReferences_areRefused() {
    assertThatThrownBy(() -> ImageMatcher.parse("ko://"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("import path");
    assertThatThrownBy(() -> ImageMatcher.parse("  "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theMatcherPrintsAsItsReference() {
    assertThat(ImageMatcher.parse("ko://example.com/x")).hasToString("ko://example.com/x");
    assertThat(ImageMatcher.parse("ko://example.com/x"))
        .isEqualTo(ImageMatcher.ko("example.com/x/"));
  }
}
