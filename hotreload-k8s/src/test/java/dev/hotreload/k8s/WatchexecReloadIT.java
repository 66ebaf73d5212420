package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.WatchexecBinary;
import dev.hotreload.core.watchexec.WatchexecManifestTransformer;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.exec.TarExecTransport;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.BusyboxGlibcBase;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed design on the real local cluster: watchexec (from kodata) supervises the app, and
 * binaries arrive as a tar stream into {@code tar -x} over exec.
 */
@ExtendWith(LocalCluster.class)
class WatchexecReloadIT {
  private static final String NAMESPACE = "default";
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private String name;
  private Session session;

  @AfterEach
  void cleanUp() throws Exception {
    if (session != null) {
      session.close();
    }
    if (name != null) {
      new AppsV1Api(client).deleteNamespacedDeployment(name, NAMESPACE).execute();
    }
  }

  @Test
  void edit_isDeliveredAsTar_andWatchexecRestartsTheApp(ApiClient apiClient) throws Exception {
    client = apiClient;
    name = "watchexec-it-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    GoWorkspace workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "from the image");
    Path kodata = Files.createDirectories(workspace.root().resolve("kodata"));
    Files.copy(WatchexecBinary.require(), kodata.resolve("watchexec"),
        StandardCopyOption.REPLACE_EXISTING);
    Platform platform = Platform.linuxHost();
    Artifact artifact = GoBuilder.builder().cacheDirectory(dir.resolve("cache")).build()
        .build(new BuildRequest(workspace.root(), "./cmd/server", platform));
    BuiltImage image = ImageBuilder.forWorkspace(workspace.root())
        .base(BusyboxGlibcBase.build(dir.resolve("base.tar")))
        .binary(artifact)
        .kodata(kodata)
        .toRegistry(LocalCluster.REGISTRY + "/hotreload-it/" + name + ":dev")
        .build();

    ContainerSpec original = new ContainerSpec("app", "ko://" + artifact.importPath(), List.of(),
        List.of(), Map.of("PORT", "8080"), Optional.empty(), List.of());
    ContainerSpec dev = WatchexecManifestTransformer.create()
        .transform(original, new ManifestTransformer.Context(image.reference(),
            image.entrypoint()));
    V1Container app = new V1Container()
        .name(dev.name())
        .image(dev.image())
        .command(dev.command())
        .env(List.of(new V1EnvVar().name("PORT").value("8080")))
        .ports(List.of(new V1ContainerPort().containerPort(8080)));
    new AppsV1Api(client).createNamespacedDeployment(NAMESPACE, new V1Deployment()
        .metadata(new V1ObjectMeta().name(name).labels(Map.of("app", name)))
        .spec(new V1DeploymentSpec()
            .replicas(1)
            .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
            .template(new V1PodTemplateSpec()
                .metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                .spec(new V1PodSpec().terminationGracePeriodSeconds(2L)
                    .containers(List.of(app)))))).execute();
    new Deployer(client, NAMESPACE).awaitRollout(NAMESPACE, name, WAIT);

    session = HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(platform)
        .target(KubernetesTarget.deployment(NAMESPACE, name).apiClient(client))
        .transport(new TarExecTransport())
        .readiness(Readiness.httpGet(8080, "/"))
        .start();
    session.awaitReady(WAIT);

    long seen = session.lastSequence();
    workspace.greeting("hello through tar and watchexec");
    ReloadReport edit = session.awaitReloadAfter(seen, WAIT);

    assertThat(edit.succeeded()).as(edit.failure().orElse("")).isTrue();
    String pod = new CoreV1Api(client).listNamespacedPod(NAMESPACE).labelSelector("app=" + name)
        .execute().getItems().get(0).getMetadata().getName();
    try (PortForwarder forward = PortForwarder.toPod(client, NAMESPACE, pod, 8080)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String answer = null;
      while (System.nanoTime() < deadline
          && !"hello through tar and watchexec".equals(answer = new GoWorkspace.Client()
              .get(forward.localPort()))) {
        Thread.sleep(20);
      }
      assertThat(answer).isEqualTo("hello through tar and watchexec");
    }
  }
}
