package dev.hotreload.k8s;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.contract.TransportContract;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.exec.TarExecTransport;
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
 * The seed design's tar transport keeps the Transport contract against a real pod: watchexec
 * mode on a BusyBox base; what the container holds is read with its own {@code sha256sum}.
 */
@ExtendWith(LocalCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TarExecTransportContractIT extends TransportContract {
  private static final Pattern SHA256 = Pattern.compile("^([0-9a-f]{64})\\s");

  private Path dir;
  private ApiClient client;
  private final String name = DevDeployments.uniqueName("tar-contract");
  private GoWorkspace workspace;
  private TargetHandle handle;
  private final TarExecTransport transport = new TarExecTransport();

  @BeforeAll
  void deploy(@TempDir Path scratch) throws Exception {
    dir = scratch; // an instance @TempDir is not injected before @BeforeAll
    client = LocalCluster.client();
    workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "from the image");
    DevDeployments.watchexecMode(client, name, workspace, dir);
    handle = KubernetesTarget.deployment(DevDeployments.NAMESPACE, name).apiClient(client)
        .open(new TargetRequest(Platform.linuxHost(), TargetEvents.NONE));
  }

  @AfterAll
  void cleanUp() throws Exception {
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
    workspace.greeting("tar contract v" + version);
    return GoBuilder.builder().cacheDirectory(dir.resolve("cache")).build()
        .build(new BuildRequest(workspace.root(), "./cmd/server", Platform.linuxHost()));
  }

  @Override
  protected String runningSha256(Destination destination) throws Exception {
    PodContainer pod = PodContainer.of(destination, TarExecTransportContractIT.class);
    PodExec.Result status = new PodExec(client).run(pod,
        List.of("/bin/sha256sum", "/ko-app/server"), null, null,
        Duration.ofSeconds(30));
    Matcher sha = SHA256.matcher(status.stdout());
    if (!sha.find()) {
      throw new AssertionError("sha256sum printed no checksum: " + status);
    }
    return sha.group(1);
  }
}
