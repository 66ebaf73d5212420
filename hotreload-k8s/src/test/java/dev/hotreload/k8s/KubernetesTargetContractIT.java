package dev.hotreload.k8s;

import dev.hotreload.core.contract.TargetContract;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.Transport;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Deployment target keeps the Target contract on the real cluster: its pods are its
 * destinations, and a pod added by scaling up is reported as new.
 */
@ExtendWith(LocalCluster.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesTargetContractIT extends TargetContract {
  private Path dir;
  private ApiClient client;
  private final String name = DevDeployments.uniqueName("target-contract");

  @BeforeAll
  void deploy(@TempDir Path scratch) throws Exception {
    dir = scratch; // an instance @TempDir is not injected before @BeforeAll
    client = LocalCluster.client();
    DevDeployments.agentMode(client, name, GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "target"), dir,
        1);
  }

  @AfterAll
  void cleanUp() {
    DevDeployments.delete(client, name);
  }

  @Override
  protected Target target() {
    return KubernetesTarget.deployment(DevDeployments.NAMESPACE, name).apiClient(client);
  }

  @Override
  protected int initialDestinations() {
    try {
      return deployment().getSpec().getReplicas();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot read Deployment " + name, e);
    }
  }

  @Override
  protected Class<? extends Transport> declaredTransport() {
    return ExecTransport.class;
  }

  @Override
  protected boolean addDestination(TargetHandle handle) throws Exception {
    V1Deployment deployment = deployment();
    deployment.getSpec().setReplicas(deployment.getSpec().getReplicas() + 1);
    new AppsV1Api(client).replaceNamespacedDeployment(name, DevDeployments.NAMESPACE, deployment)
        .execute();
    return true;
  }

  @Override
  protected Duration patience() {
    return Duration.ofMinutes(2);
  }

  private V1Deployment deployment() throws Exception {
    return new AppsV1Api(client).readNamespacedDeployment(name, DevDeployments.NAMESPACE)
        .execute();
  }
}
