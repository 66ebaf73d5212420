package dev.hotreload.k8s.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ExecStdinTest {

  /**
   * Records what reaches it, as client-java's websocket stream would receive it; its flush
   * blocks until released, as client-java's does while OkHttp's queue does not drain.
   */
  private static final class Websocket extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<Integer> writes = new ArrayList<>();
    final CountDownLatch drained = new CountDownLatch(1);
    boolean closed;

    @Override
    public void write(int b) {
      writes.add(1);
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes.add(len);
      bytes.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      try {
        if (!drained.await(10, TimeUnit.SECONDS)) {
          throw new IOException("Timed out waiting for web-socket to flush.");
        }
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void thePayload_goesThroughInWholeWrites_andTheFlushWaitsForTheQueue() throws Exception {
    Websocket websocket = new Websocket();
    OutputStream stdin = new ExecOpening.FlushWhileAlive(websocket, () -> true);
    byte[] payload = new byte[100_000];
    payload[99_999] = 7;

    stdin.write(new byte[0]); // how a caller waits for the websocket to open
    stdin.write(payload);
    websocket.drained.countDown();
    stdin.flush();
    stdin.close();

    assertThat(websocket.writes).containsExactly(0, 100_000);
    assertThat(websocket.bytes.toByteArray()).isEqualTo(payload);
    assertThat(websocket.closed).isTrue();
  }

  @Test
  void aFlushStuckOnAnExecThatEnded_givesUpWithoutWaitingOutClientJavasTenSeconds() {
    Websocket websocket = new Websocket(); // never drains
    AtomicBoolean alive = new AtomicBoolean(true);
    OutputStream stdin = new ExecOpening.FlushWhileAlive(websocket, alive::get);
    alive.set(false); // the agent's install was killed

    // a flush that waited for the websocket would end after 10 s with client-java's message
    assertThatThrownBy(stdin::flush).isInstanceOf(IOException.class)
        .hasMessage("the exec ended before all of its stdin was sent");
    websocket.drained.countDown();
  }
}
