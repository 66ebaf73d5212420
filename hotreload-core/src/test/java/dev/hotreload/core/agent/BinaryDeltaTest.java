package dev.hotreload.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryDeltaTest {
  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** What a small edit does to a binary: a few bytes change, everything after them shifts. */
  private static byte[] edited(byte[] base) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(base, 0, 1000);
    out.writeBytes("a longer greeting".getBytes());
    out.write(base, 1000, 50_000);
    out.write(base, 51_100, base.length - 51_100); // 100 bytes dropped
    byte[] target = out.toByteArray();
    for (int i = 60_000; i < target.length; i += 4096) {
      target[i] ^= 0x5a; // relocated addresses: scattered single-byte changes
    }
    return target;
  }

  @Test
  void roundTrip_ofAnEditedBinary_isExact_andSmall() {
    byte[] base = random(1 << 20, 1);
    byte[] target = edited(base);

    byte[] delta = BinaryDelta.encode(base, target);

    assertThat(BinaryDelta.apply(base, delta)).isEqualTo(target);
    assertThat(delta.length).isLessThan(target.length / 20);
  }

  @Test
  void rangesEncodedApart_concatenate_intoTheWholeTarget() {
    byte[] base = random(1 << 20, 5);
    byte[] target = edited(base);
    int[] cuts = {0, 17, 60_001, target.length / 2, target.length - 3, target.length};
    ByteArrayOutputStream ops = new ByteArrayOutputStream();
    for (int k = 0; k + 1 < cuts.length; k++) {
      ops.writeBytes(BinaryDelta.encode(base, target, cuts[k], cuts[k + 1]));
    }

    assertThat(BinaryDelta.apply(base, ops.toByteArray())).isEqualTo(target);
    assertThatThrownBy(() -> BinaryDelta.encode(base, target, 10, 5))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void theGzippedDelta_ofABinaryOverAMegabyte_isSeveralGzipMembers_readAsOneStream()
      throws Exception {
    byte[] base = random(3 << 20, 6);
    byte[] target = edited(base);

    byte[] payload = AgentProtocol.gzippedDelta(base, target);

    byte[] ops;
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(payload))) {
      ops = in.readAllBytes();
    }
    assertThat(BinaryDelta.apply(base, ops)).isEqualTo(target);
    int members = 0;
    for (int at = 0; at < payload.length; members++) {
      assertThat(Arrays.copyOfRange(payload, at, at + 3)).as("gzip header at " + at)
          .containsExactly(0x1f, 0x8b, 8);
      java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
      inflater.setInput(payload, at + 10, payload.length - at - 10); // FastGzip's fixed header
      byte[] sink = new byte[64 * 1024];
      while (!inflater.finished()) {
        inflater.inflate(sink);
      }
      at += 10 + (payload.length - at - 10 - inflater.getRemaining()) + 8; // 8: CRC and size
      inflater.end();
    }
    assertThat(members).as("gzip members in the payload")
        .isGreaterThanOrEqualTo(Math.min(2, Runtime.getRuntime().availableProcessors()));
  }

  @Test
  void edges_emptyShortIdenticalAndUnrelated_allRoundTrip() {
    byte[] base = random(10_000, 2);
    for (byte[] target : new byte[][] {new byte[0], Arrays.copyOf(base, 7), base.clone(),
        random(10_000, 3), Arrays.copyOfRange(base, 9_990, 10_000)}) {
      assertThat(BinaryDelta.apply(base, BinaryDelta.encode(base, target))).isEqualTo(target);
      assertThat(BinaryDelta.apply(new byte[0], BinaryDelta.encode(new byte[0], target)))
          .isEqualTo(target);
    }
    assertThat(BinaryDelta.encode(base, base.clone())).hasSizeLessThan(10);
  }

  @Test
  void apply_refusesACopyPastTheBase_andUnknownOperations() {
    byte[] base = random(100, 4);
    assertThatThrownBy(() -> BinaryDelta.apply(base, new byte[] {BinaryDelta.COPY, 90, 20}))
        .hasMessageContaining("past the base's 100 bytes");
    assertThatThrownBy(() -> BinaryDelta.apply(base, new byte[] {7}))
        .hasMessageContaining("unknown operation 7");
  }
}
