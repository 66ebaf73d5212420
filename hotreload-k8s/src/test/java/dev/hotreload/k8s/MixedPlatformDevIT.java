package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Platform;
import dev.hotreload.ReloadReport;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.build.ElfHeader;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import dev.hotreload.k8s.testing.Http10;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.k8s.testing.ShopWorkspace;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Taint;
import io.kubernetes.client.util.PatchUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose nodes disagree on the architecture. No arm64 kubelet runs here (see the
 * closing note of the issue that asked for one), so a second Node object that reports linux/arm64
 * is registered with the API server, tainted so that nothing is scheduled on it: the session
 * must plan one binary per platform, push one image index for both, and deliver to each pod
 * the binary for its node (here: the amd64 pods get amd64, the arm64 session has no pod yet).
 */
@ExtendWith(LocalCluster.class)
class MixedPlatformDevIT {
  private static final String FAKE_NODE = "hotreload-fake-arm64";
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private String namespace;

  @BeforeEach
  void registerAnArm64Node(ApiClient apiClient) throws Exception {
    client = apiClient;
    deleteFakeNode();
    CoreV1Api core = new CoreV1Api(client);
    core.createNode(new V1Node()
        .metadata(new V1ObjectMeta().name(FAKE_NODE)
            .labels(Map.of("kubernetes.io/arch", "arm64", "kubernetes.io/os", "linux")))
        .spec(new V1NodeSpec().taints(List.of(new V1Taint().key("hotreload.dev/no-kubelet")
            .value("true").effect("NoSchedule"))))).execute();
    String status = "{\"status\":{\"nodeInfo\":{\"architecture\":\"arm64\","
        + "\"operatingSystem\":\"linux\",\"kubeletVersion\":\"v1.34.4\",\"machineID\":\"\","
        + "\"systemUUID\":\"\",\"bootID\":\"\",\"kernelVersion\":\"\",\"osImage\":\"\","
        + "\"containerRuntimeVersion\":\"\",\"kubeProxyVersion\":\"\"}}}";
    PatchUtils.patch(V1Node.class, () -> core.patchNodeStatus(FAKE_NODE, new V1Patch(status))
        .buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
    namespace = "mixed-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(namespace)))
        .execute();
  }

  @AfterEach
  void cleanUp() throws Exception {
    deleteFakeNode();
    if (namespace != null) {
      new CoreV1Api(client).deleteNamespace(namespace).execute();
    }
  }

  @Test
  void nodesOfTwoArchitectures_oneBinaryEach_podsGetTheirNodesBinary() throws Exception {
    ShopWorkspace shop = ShopWorkspace.create(Files.createDirectories(dir.resolve("shop")));
    try (DevSession dev = KubernetesDev.forWorkspace(shop.root())
        .manifests(shop.root().resolve("k8s"))
        .connection(KubeConnection.of(client, namespace))
        .registry(LocalCluster.REGISTRY)
        .portForward("deployment/front", 0, 8080)
        .listener(ConsoleProgress.toStdout())
        .start()) {
      assertThat(dev.services()).containsOnlyKeys("front-amd64", "front-arm64", "back-amd64",
          "back-arm64");
      ReloadReport amd64 = dev.services().get("front-amd64").awaitReady(WAIT);
      ReloadReport arm64 = dev.services().get("front-arm64").awaitReady(WAIT);

      assertThat(amd64.deliveries()).as("the real node's pod").hasSize(1)
          .allMatch(ReloadReport.Delivery::succeeded);
      assertThat(arm64.deliveries()).as("no pod runs on the arm64 node").isEmpty();
      assertThat(ElfHeader.read(amd64.artifact().orElseThrow().path()).orElseThrow()
          .runsOn(Platform.LINUX_AMD64)).isTrue();
      assertThat(ElfHeader.read(arm64.artifact().orElseThrow().path()).orElseThrow()
          .runsOn(Platform.parse("linux/arm64"))).isTrue();

      long seen = dev.lastSequence();
      shop.frontText("front on amd64");
      dev.awaitReloadAfter(seen, WAIT);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!"v1 front on amd64".equals(Http10.get(dev.localPort("deployment/front")))
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(Http10.get(dev.localPort("deployment/front"))).isEqualTo("v1 front on amd64");
    }
  }

  private void deleteFakeNode() {
    try {
      new CoreV1Api(client).deleteNode(FAKE_NODE).execute();
    } catch (Exception e) {
      // not there: nothing to clean up
    }
  }
}
