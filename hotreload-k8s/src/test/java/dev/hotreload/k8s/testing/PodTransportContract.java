package dev.hotreload.k8s.testing;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.contract.TransportContract;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.io.Closeable;
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
 * The Transport contract against a real pod of the local cluster: one replica of the test
 * service, deployed in the mode the transport needs, and what the container runs read by a
 * command of the subclass's choosing, never through the transport under test.
 */
@ExtendWith(LocalCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PodTransportContract extends TransportContract {
  private Path dir;
  private ApiClient client;
  private String name;
  private GoWorkspace workspace;
  private TargetHandle handle;

  /** Deploys the service in the transport's mode. */
  protected abstract void deploy(ApiClient client, String name, GoWorkspace workspace, Path dir)
      throws Exception;

  /** The command that prints what the container holds, and how to find the sha256 in it. */
  protected abstract List<String> checksumCommand();

  /** Finds the hex sha256 in what {@link #checksumCommand()} printed. */
  protected abstract Pattern checksum();

  @BeforeAll
  void deployOneReplica(@TempDir Path scratch) throws Exception {
    dir = scratch; // an instance @TempDir is not injected before @BeforeAll
    client = LocalCluster.client();
    name = DevDeployments.uniqueName(getClass().getSimpleName().toLowerCase().replace("it", ""));
    workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "from the image");
    deploy(client, name, workspace, dir);
    handle = KubernetesTarget.deployment(DevDeployments.NAMESPACE, name).apiClient(client)
        .open(new TargetRequest(Platform.linuxHost(), TargetEvents.NONE));
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (transport() instanceof Closeable closeable) {
      closeable.close();
    }
    if (handle != null) {
      handle.close();
    }
    DevDeployments.delete(client, name);
  }

  @Override
  protected Destination destination() {
    return handle.destinations().get(0);
  }

  @Override
  protected Artifact artifact(int version) throws Exception {
    workspace.greeting(name + " v" + version);
    return GoBuilder.builder().cacheDirectory(dir.resolve("cache")).build()
        .build(new BuildRequest(workspace.root(), "./cmd/server", Platform.linuxHost()));
  }

  @Override
  protected String runningSha256(Destination destination) throws Exception {
    PodContainer pod = PodContainer.of(destination, getClass());
    PodExec.Result result = new PodExec(client).run(pod, checksumCommand(), null, null,
        Duration.ofSeconds(30));
    Matcher sha = checksum().matcher(result.stdout());
    if (!sha.find()) {
      throw new AssertionError(checksumCommand() + " printed no sha256: " + result);
    }
    return sha.group(1);
  }
}
