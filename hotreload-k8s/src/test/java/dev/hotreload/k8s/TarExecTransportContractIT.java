package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.exec.TarExecTransport;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.PodTransportContract;
import dev.hotreload.spi.TransferRequest;
import dev.hotreload.spi.TransferResult;
import dev.hotreload.spi.Transport;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The seed design's tar transport keeps the Transport contract against a real pod in watchexec
 * mode on a BusyBox base; what the container holds is read with its own {@code sha256sum}.
 */
class TarExecTransportContractIT extends PodTransportContract {
  private final TarExecTransport transport = new TarExecTransport();

  @Override
  protected void deploy(ApiClient client, String name, GoWorkspace workspace, Path dir)
      throws Exception {
    DevDeployments.watchexecMode(client, name, workspace, dir);
  }

  @Override
  protected Transport transport() {
    return transport;
  }

  @Override
  protected List<String> checksumCommand() {
    return List.of("/bin/sha256sum", "/ko-app/server");
  }

  @Override
  protected Pattern checksum() {
    return Pattern.compile("^([0-9a-f]{64})\\s");
  }

  @Test
  void aTransferWhoseTarStatusIsLost_isConfirmedByReadingTheBinaryBack() throws Exception {
    Artifact artifact = artifact(3);

    TransferResult result = transport.transfer(new TransferRequest(artifact, destination(),
        Duration.ofSeconds(30), sent -> { }));

    // client-java keeps tar's exit status on some execs and loses it on most: when it is lost,
    // the container's sha256sum must have confirmed the binary.
    System.out.println("tar transfer: " + result.message());
    if (result.message().contains("exit status lost")) {
      assertThat(result.message()).contains("sha256 read back");
    }
    assertThat(runningSha256(destination())).isEqualTo(artifact.sha256());
  }
}
