package dev.hotreload.benchmarks.e2e;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.examples.HelloApp;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.spi.BuildRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code rebuild-rollout}: what Skaffold does for a ko app today, done with this project's own
 * parts so only the path differs: {@code go build}, a new image (jib-core, the same base cache)
 * pushed to the cluster's registry, the Deployment updated by server-side apply, and the new
 * pods rolled out Ready. The save starts the pipeline at once: no watcher delay is charged to it.
 */
final class RebuildRolloutScenario implements Scenario {
  private final ApiClient client;
  private final Links.Link link;
  private final int replicas;
  private final Path workspace;
  private final Platform platform;
  private final GoBuilder builder = GoBuilder.create();
  private final Deployer deployer;
  private final PortForwarder forward;
  private final Laps laps = new Laps();
  private long bytesRaw;
  private int edits;

  RebuildRolloutScenario(int replicas, Links.Link link) throws Exception {
    ApiClient client = link.client();
    this.client = client;
    this.link = link;
    this.replicas = replicas;
    ClusterSetup.ensureNamespace(client);
    workspace = HelloApp.copy();
    platform = HelloApp.nodePlatform(client);
    deployer = new Deployer(client, ClusterSetup.NAMESPACE);
    Artifact artifact = build();
    deployer.apply(HelloApp.manifest(replicas, HelloApp.Mode.PLAIN, image(artifact),
        artifact.importPath()));
    deployer.awaitRollout(ClusterSetup.NAMESPACE, HelloApp.NAME, Duration.ofMinutes(5));
    forward = PortForwarder.toPods(client, ClusterSetup.NAMESPACE,
        () -> HelloApp.newestRunningPod(client, ClusterSetup.NAMESPACE), HelloApp.PORT);
  }

  private Artifact build() throws Exception {
    return builder.build(new BuildRequest(workspace, HelloApp.MAIN_PACKAGE, platform));
  }

  /** Pushes over the link (a remote cluster's registry is as far away as its API server). */
  private BuiltImage image(Artifact artifact) throws Exception {
    BuiltImage pushed = HelloApp.buildImage(workspace, artifact, HelloApp.Mode.PLAIN,
        link.registry() + "/hello-bench-rollout:r" + edits++);
    return new BuiltImage(link.forPods(pushed.reference()), pushed.digest(), pushed.platforms(),
        pushed.entrypoint(), pushed.took());
  }

  @Override
  public void editAndAwait(String text) throws Exception {
    HelloApp.setGreeting(workspace, text);
    laps.start();
    Artifact artifact = build();
    laps.lap("BUILD");
    BuiltImage image = image(artifact);
    laps.lap("IMAGE");
    // Updates go through their own deployer: the trial's one restores the first state at the end.
    Deployer update = new Deployer(client, ClusterSetup.NAMESPACE);
    update.apply(HelloApp.manifest(replicas, HelloApp.Mode.PLAIN, image, artifact.importPath()));
    update.awaitRollout(ClusterSetup.NAMESPACE, HelloApp.NAME, Duration.ofMinutes(5));
    laps.lap("ROLLOUT");
    Poll.until(forward::localPort, text, "rebuild-rollout");
    laps.lap("READY");
    bytesRaw = artifact.size();
  }

  @Override
  public Figures lastFigures() {
    // jib pushes the changed layer (the binary, gzipped) but does not say how many bytes went.
    return new Figures(laps.phases(), -1, bytesRaw);
  }

  @Override
  public void close() throws Exception {
    try (forward) {
      deployer.restore();
    }
  }
}
