package dev.hotreload.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What every {@link ManifestTransformer} promises; each implementation's test extends this. */
public abstract class ManifestTransformerContract {

  /** The transformer under test. */
  protected abstract ManifestTransformer transformer();

  /** A container as a user's manifest has it, running {@code /ko-app/server --port 8080}. */
  protected ContainerSpec container() {
    return new ContainerSpec("app", "ko://example.com/shop/cmd/server",
        List.of("/ko-app/server"), List.of("--port", "8080"),
        Map.of("GREETING", "hello"), Optional.of("/srv"), List.of());
  }

  /** The dev image the transformer points the container at. */
  protected ManifestTransformer.Context context() {
    return new ManifestTransformer.Context("localhost:5000/server@sha256:" + "ab".repeat(32),
        List.of("/ko-app/server"));
  }

  @Test
  void transform_pointsAtTheDevImage_andKeepsNameEnvAndWorkingDir() {
    ContainerSpec in = container();

    ContainerSpec out = transformer().transform(in, context());

    assertThat(out.image()).isEqualTo(context().image());
    assertThat(out.name()).isEqualTo(in.name());
    assertThat(out.env()).containsAllEntriesOf(in.env());
    assertThat(out.workingDir()).isEqualTo(in.workingDir());
  }

  @Test
  void transform_stillRunsTheOriginalCommandAndArgs() {
    ContainerSpec out = transformer().transform(container(), context());

    List<String> runs = new java.util.ArrayList<>(out.command());
    runs.addAll(out.args());
    assertThat(String.join(" ", runs)).contains("/ko-app/server --port 8080");
  }

  @Test
  void transformingTwice_isTheSameAsOnce() {
    ContainerSpec once = transformer().transform(container(), context());

    ContainerSpec twice = transformer().transform(once, context());

    assertThat(twice).isEqualTo(once);
  }

  @Test
  void nullInput_isRefusedWithTheParameterName() {
    assertThatThrownBy(() -> transformer().transform(null, context()))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("container");
  }
}
