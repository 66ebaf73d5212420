package dev.hotreload.examples;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.exec.TarExecTransport;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.spi.BuildRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The demo in the seed design's mode (watchexec from kodata, tar over exec), which the one-call
 * {@link dev.hotreload.k8s.dev.KubernetesDev} does not offer: its image needs a shell and tar,
 * and its binary lands in {@code /ko-app}, so it is deployed by hand here.
 */
final class WatchexecDemo {
  private WatchexecDemo() {}

  static void run(KubeConnection cluster, Path workspace, int replicas, int edits, boolean keep)
      throws Exception {
    ApiClient client = cluster.client();
    String namespace = cluster.namespace();
    Platform platform = HelloApp.nodePlatform(client);
    Artifact artifact = GoBuilder.create()
        .build(new BuildRequest(workspace, HelloApp.MAIN_PACKAGE, platform));
    BuiltImage image = HelloApp.buildImage(workspace, artifact, HelloApp.Mode.WATCHEXEC,
        "localhost:5000/" + HelloApp.NAME + ":dev");
    Deployer deployer = new Deployer(client, namespace);
    deployer.apply(HelloApp.manifest(replicas, HelloApp.Mode.WATCHEXEC, image,
        artifact.importPath()));
    deployer.awaitRollout(namespace, HelloApp.NAME, Duration.ofMinutes(5));
    EditLoop loop = new EditLoop();
    HotReload.Configurator configurator = HotReload.forWorkspace(workspace)
        .mainPackage(HelloApp.MAIN_PACKAGE)
        .platform(platform)
        .target(KubernetesTarget.deployment(namespace, HelloApp.NAME).apiClient(client))
        .transport(new TarExecTransport())
        // The agent waits inside the pod until the new process accepts on the declared port;
        // in the seed design nothing in the pod knows, so readiness is checked from here.
        .readiness(Readiness.httpGet(HelloApp.PORT, "/healthz"))
        .listener(ReloadListener.compose(ConsoleProgress.toStdout().relativeTo(workspace),
            loop.listener()));
    try (Session session = configurator.start();
        PortForwarder forward = PortForwarder.toPods(client, namespace,
            () -> HelloApp.newestRunningPod(client, namespace), HelloApp.PORT)) {
      KubernetesDemo.edit(loop, session, workspace, forward::localPort, edits,
          "kubernetes, watchexec mode, " + replicas + " replica(s)");
    } finally {
      if (!keep) {
        deployer.restore();
      }
    }
  }
}
