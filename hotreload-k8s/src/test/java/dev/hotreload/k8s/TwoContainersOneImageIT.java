package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.ReloadReport;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.testing.Http10;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.k8s.testing.ShopWorkspace;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two containers of one pod run the same image (as argo-cd's redis-ha runs redis and sentinel):
 * each gets an agent directory of its own on the shared scratch volume, so an install meant for
 * one never reaches the other, and an edit reloads both.
 */
@ExtendWith(LocalCluster.class)
class TwoContainersOneImageIT {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private String namespace;

  @AfterEach
  void deleteNamespace() throws Exception {
    if (namespace != null) {
      new CoreV1Api(client).deleteNamespace(namespace).execute();
    }
  }

  @Test
  void bothContainersAreDestinations_andBothServeTheEdit(ApiClient apiClient) throws Exception {
    client = apiClient;
    namespace = "pair-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    new CoreV1Api(client).createNamespace(new V1Namespace().metadata(
        new V1ObjectMeta().name(namespace))).execute();
    ShopWorkspace shop = ShopWorkspace.create(Files.createDirectories(dir.resolve("shop")));
    Path manifest = Files.writeString(dir.resolve("pair.yaml"), """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: pair
        spec:
          replicas: 1
          selector:
            matchLabels: {app: pair}
          template:
            metadata:
              labels: {app: pair}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: main
                image: ko://example.com/shop/cmd/front
                env: [{name: PORT, value: "8080"}]
              - name: sidecar
                image: ko://example.com/shop/cmd/front
                env: [{name: PORT, value: "8081"}]
        """);

    try (DevSession dev = KubernetesDev.forWorkspace(shop.root())
        .manifests(manifest)
        .connection(KubeConnection.of(client, namespace))
        .registry(LocalCluster.REGISTRY)
        .listener(ConsoleProgress.toStdout())
        .start()) {
      ReloadReport first = dev.awaitReady(WAIT);
      assertThat(first.deliveries()).as("one destination per container")
          .extracting(ReloadReport.Delivery::destination)
          .hasSize(2).anyMatch(id -> id.contains("/main#")).anyMatch(id -> id.contains("/sidecar#"));
      String pod = new CoreV1Api(client).listNamespacedPod(namespace).labelSelector("app=pair")
          .execute().getItems().get(0).getMetadata().getName();
      try (PortForwarder main = PortForwarder.toPod(client, namespace, pod, 8080);
          PortForwarder sidecar = PortForwarder.toPod(client, namespace, pod, 8081)) {
        long seen = dev.lastSequence();
        shop.frontText("both containers");
        ReloadReport edit = dev.awaitReloadAfter(seen, WAIT);

        assertThat(edit.succeeded()).as(edit.failure().orElse("")).isTrue();
        assertThat(edit.deliveries()).hasSize(2).allMatch(ReloadReport.Delivery::succeeded);
        awaitAnswer(main.localPort(), "v1 both containers");
        awaitAnswer(sidecar.localPort(), "v1 both containers");
      }
    }
  }

  private static void awaitAnswer(int port, String expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      last = Http10.get(port);
      if (expected.equals(last)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + expected + "' on " + port + "; last answer: " + last);
  }
}
