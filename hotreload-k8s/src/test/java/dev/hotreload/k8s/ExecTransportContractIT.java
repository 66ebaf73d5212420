package dev.hotreload.k8s;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.contract.TransportContract;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exec transport keeps the Transport contract against a real pod: one replica in agent mode;
 * what it runs is read from {@code agent status}, not from the transport under test.
 */
@ExtendWith(LocalCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecTransportContractIT extends TransportContract {
  private static final Pattern SHA256 = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");

  private Path dir;
  private ApiClient client;
  private final String name = DevDeployments.uniqueName("exec-contract");
  private GoWorkspace workspace;
  private TargetHandle handle;
  private final ExecTransport transport = new ExecTransport();

  @BeforeAll
  void deploy(@TempDir Path scratch) throws Exception {
    dir = scratch; // an instance @TempDir is not injected before @BeforeAll
    client = LocalCluster.client();
    workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "from the image");
    DevDeployments.agentMode(client, name, workspace, dir, 1);
    handle = KubernetesTarget.deployment(DevDeployments.NAMESPACE, name).apiClient(client)
        .open(new TargetRequest(Platform.linuxHost(), TargetEvents.NONE));
  }

  @AfterAll
  void cleanUp() throws Exception {
    transport.close();
    if (handle != null) {
      handle.close();
    }
    DevDeployments.delete(client, name);
  }

  @Override
  protected Transport transport() {
    return transport;
  }

  @Override
  protected Destination destination() {
    return handle.destinations().get(0);
  }

  @Override
  protected Artifact artifact(int version) throws Exception {
    workspace.greeting("exec contract v" + version);
    return GoBuilder.builder().cacheDirectory(dir.resolve("cache")).build()
        .build(new BuildRequest(workspace.root(), "./cmd/server", Platform.linuxHost()));
  }

  @Override
  protected String runningSha256(Destination destination) throws Exception {
    PodContainer pod = PodContainer.of(destination, ExecTransportContractIT.class);
    PodExec.Result status = new PodExec(client).run(pod,
        List.of(AgentLayout.PATH, "status", "--dir", AgentLayout.stateDirectory("app")),
        null, null,
        Duration.ofSeconds(30));
    Matcher sha = SHA256.matcher(status.stdout());
    if (!sha.find()) {
      throw new AssertionError("agent status gave no sha256: " + status);
    }
    return sha.group(1);
  }
}
