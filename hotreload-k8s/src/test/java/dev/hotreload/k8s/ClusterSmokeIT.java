package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.BuildRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster does what hot reload needs: an image built with our jib-core builder and
 * pushed to the cluster's registry runs, exec streams 10 MB of stdin and closes it (v5), a
 * port-forward answers HTTP, and the pod's log can be read.
 */
@ExtendWith(LocalCluster.class)
class ClusterSmokeIT {
  private static final String NAMESPACE = "default";

  @TempDir Path dir;
  private ApiClient client;
  private String name;

  @AfterEach
  void cleanUp() throws Exception {
    if (name != null) {
      new AppsV1Api(client).deleteNamespacedDeployment(name, NAMESPACE).execute();
    }
  }

  @Test
  void imageRunsExecStreamsStdinPortForwardAnswersAndLogsRead(ApiClient apiClient)
      throws Exception {
    client = apiClient;
    name = "smoke-it-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    GoWorkspace workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "smoke");
    Artifact artifact = GoBuilder.builder().cacheDirectory(dir.resolve("cache")).build()
        .build(new BuildRequest(workspace.root(), "./cmd/server", Platform.linuxHost()));
    BuiltImage image = ImageBuilder.forWorkspace(workspace.root()).binary(artifact)
        .toRegistry(LocalCluster.REGISTRY + "/hotreload-it/" + name + ":smoke").build();
    new AppsV1Api(client).createNamespacedDeployment(NAMESPACE, new V1Deployment()
        .metadata(new V1ObjectMeta().name(name))
        .spec(new V1DeploymentSpec()
            .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
            .template(new V1PodTemplateSpec()
                .metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                .spec(new V1PodSpec().terminationGracePeriodSeconds(1L).containers(List.of(
                    new V1Container().name("app").image(image.reference())
                        .env(List.of(new V1EnvVar().name("PORT").value("8080"))))))))).execute();
    new Deployer(client, NAMESPACE).awaitRollout(NAMESPACE, name, Duration.ofMinutes(3));
    String pod = new CoreV1Api(client).listNamespacedPod(NAMESPACE).labelSelector("app=" + name)
        .execute().getItems().get(0).getMetadata().getName();
    PodContainer container = new PodContainer(NAMESPACE, pod, "uid", "app", 0, null,
        java.util.Optional.empty(), client, java.util.Optional.empty(), java.util.Optional.empty());

    byte[] tenMegabytes = new byte[10 * 1024 * 1024];
    new Random(42).nextBytes(tenMegabytes);
    PodExec.Result sum = new PodExec(client).run(container, List.of("/ko-app/server", "sum"),
        out -> out.write(tenMegabytes), null, Duration.ofMinutes(1));
    String expected = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(tenMegabytes)) + " " + tenMegabytes.length;
    // The checksum of all 10 MB proves stdin streamed whole. client-java sometimes loses the
    // exit status to a racing websocket close and reports CONNECTION_FAILED instead (PodExec's
    // comment); any other status is a real failure.
    assertThat(sum.stdout().strip()).as(sum.stderr()).isEqualTo(expected);
    assertThat(sum.exitCode()).as(sum.stderr()).isIn(0, PodExec.CONNECTION_FAILED);

    try (PortForwarder forward = PortForwarder.toPod(client, NAMESPACE, pod, 8080)) {
      assertThat(new GoWorkspace.Client().get(forward.localPort())).isEqualTo("smoke");
    }
    // Nothing listens on 8081, as on an app's port while it restarts: the connection closes
    // (kubectl's does) instead of leaving the client waiting for an answer.
    try (PortForwarder forward = PortForwarder.toPod(client, NAMESPACE, pod, 8081);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), forward.localPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream()
          .write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      int read;
      try {
        read = socket.getInputStream().read();
      } catch (SocketException e) {
        read = -1; // reset: closed too
      }
      assertThat(read).as("what a forward to a port nobody listens on answers").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    String log = new CoreV1Api(client).readNamespacedPodLog(pod, NAMESPACE).container("app")
        .execute();
    assertThat(log).contains("listening on 8080");
  }
}
