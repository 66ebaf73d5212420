package dev.hotreload.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EditLoopTest {
  @Test
  void percentile_usesNearestRank() {
    List<Long> values = List.of(5L, 1L, 4L, 2L, 3L, 10L, 9L, 8L, 7L, 6L);

    assertThat(EditLoop.median(values)).isEqualTo(5L);
    assertThat(EditLoop.percentile(values, 95)).isEqualTo(10L);
    assertThat(EditLoop.percentile(values, 10)).isEqualTo(1L);
  }
}
