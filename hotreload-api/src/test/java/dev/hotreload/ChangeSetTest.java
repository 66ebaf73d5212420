package dev.hotreload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeSetTest {

  @Test
  void merge_keepsFirstPositionAndLastKind() {
    Path a = Path.of("/w/a.go");
    Path b = Path.of("/w/b.go");
    ChangeSet first =
        new ChangeSet(List.of(new Change(a, Change.Kind.CREATED), new Change(b, Change.Kind.MODIFIED)));
    ChangeSet later = new ChangeSet(List.of(new Change(a, Change.Kind.DELETED)));

    ChangeSet merged = first.merge(later);

    assertThat(merged.changes())
        .containsExactly(new Change(a, Change.Kind.DELETED), new Change(b, Change.Kind.MODIFIED));
    assertThat(merged.paths()).containsExactly(a, b);
  }
}
