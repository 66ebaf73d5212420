package dev.hotreload.k8s;

import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.exec.TarExecTransport;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.PodTransportContract;
import dev.hotreload.spi.Transport;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

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
}
