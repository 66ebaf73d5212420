package dev.hotreload.core.local;

import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Delivers to a {@link LocalProcessTarget}: copy beside the running binary, rename over it, restart
 * the process. The target's {@link LocalProcessTarget#defaultTransport() default transport}.
 * Thread-safe.
 */
public final class LocalProcessTransport implements Transport {

  @Override
  public TransferResult transfer(TransferRequest request) throws IOException {
    if (!(request.destination() instanceof LocalProcessTarget.LocalProcess process)) {
      throw new IOException(
          "LocalProcessTransport delivers only to local processes, not " + request.destination().id());
    }
    Path binary = process.stage(request.artifact());
    request.progress().sent(request.artifact().size());
    long start = System.nanoTime();
    long pid = process.restart(binary);
    return new TransferResult(
        request.artifact().size(), Duration.ofNanos(System.nanoTime() - start), "pid " + pid);
  }
}
