package dev.hotreload.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What every {@link Transport} promises; each implementation's test extends this. */
public abstract class TransportContract {

  /** The transport under test. */
  protected abstract Transport transport();

  /** A destination the transport can deliver to. */
  protected abstract Destination destination() throws Exception;

  /** An artifact that runs there; {@code version} makes its content differ. */
  protected abstract Artifact artifact(int version) throws Exception;

  /** The checksum of what the destination runs now. */
  protected abstract String runningSha256(Destination destination) throws Exception;

  @Test
  void transfer_reportsProgressOnce_andTheDestinationRunsTheNewBinary() throws Exception {
    Destination destination = destination();
    for (int version = 1; version <= 2; version++) {
      Artifact artifact = artifact(version);
      List<Long> progress = new CopyOnWriteArrayList<>();

      TransferResult result = transport().transfer(
          new TransferRequest(artifact, destination, Duration.ofSeconds(30), progress::add));

      assertThat(progress).hasSize(1);
      assertThat(result.bytesSent()).isPositive();
      assertThat(result.restart().isNegative()).isFalse();
      assertThat(runningSha256(destination)).isEqualTo(artifact.sha256());
    }
  }
}
