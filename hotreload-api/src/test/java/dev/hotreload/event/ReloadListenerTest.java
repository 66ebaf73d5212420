package dev.hotreload.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.ChangeSet;
import dev.hotreload.Reload;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReloadListenerTest {
  private final Reload reload = new Reload(1, Reload.Trigger.MANUAL, ChangeSet.EMPTY);

  @Test
  void compose_callsEveryListenerInOrder_evenAfterOneThrows() {
    List<String> calls = new ArrayList<>();
    ReloadListener throwing =
        new ReloadListener() {
          @Override
          public void buildStart(Reload r) {
            calls.add("throwing");
            throw new IllegalStateException("listener bug");
          }
        };
    ReloadListener recording =
        new ReloadListener() {
          @Override
          public void buildStart(Reload r) {
            calls.add("recording");
          }
        };

    ReloadListener composite = ReloadListener.compose(throwing, recording);

    assertThatThrownBy(() -> composite.buildStart(reload)).hasMessage("listener bug");
    assertThat(calls).containsExactly("throwing", "recording");
  }

  @Test
  void compose_ofNothingUseful_isNone() {
    assertThat(ReloadListener.compose()).isSameAs(ReloadListener.NONE);
    assertThat(ReloadListener.compose(ReloadListener.NONE, ReloadListener.NONE))
        .isSameAs(ReloadListener.NONE);
  }

  @Test
  void plus_flattensNestedComposites() {
    List<String> calls = new ArrayList<>();
    ReloadListener a = named("a", calls);
    ReloadListener b = named("b", calls);
    ReloadListener c = named("c", calls);

    a.plus(b).plus(c).reloadStart(reload);

    assertThat(calls).containsExactly("a", "b", "c");
  }

  private static ReloadListener named(String name, List<String> calls) {
    return new ReloadListener() {
      @Override
      public void reloadStart(Reload r) {
        calls.add(name);
      }
    };
  }
}
