package dev.hotreload.k8s;

import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.PodTransportContract;
import dev.hotreload.spi.Transport;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The exec transport keeps the Transport contract against a real pod in agent mode; what it runs
 * is read from {@code agent status}.
 */
class ExecTransportContractIT extends PodTransportContract {
  private final ExecTransport transport = new ExecTransport();

  @Override
  protected void deploy(ApiClient client, String name, GoWorkspace workspace, Path dir)
      throws Exception {
    DevDeployments.agentMode(client, name, workspace, dir, 1);
  }

  @Override
  protected Transport transport() {
    return transport;
  }

  @Override
  protected List<String> checksumCommand() {
    return List.of(AgentLayout.PATH, "status", "--dir", AgentLayout.stateDirectory("app"));
  }

  @Override
  protected Pattern checksum() {
    return Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");
  }
}
