package dev.hotreload.benchmarks.e2e;

import dev.hotreload.examples.BuildEnds;
import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.examples.HelloApp;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.exec.ExecTransport;
import dev.hotreload.k8s.exec.TarExecTransport;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.BuildRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code agent} and {@code watchexec-tar}: the library's session keeps the binary live in the
 * pods of a Deployment; one sample ends when the new text answers through a port-forward and the
 * session reports every replica reloaded.
 */
final class HotReloadScenario implements Scenario {
  private final HelloApp.Mode mode;
  private final Path workspace;
  private final Deployer deployer;
  private final BuildEnds builds = new BuildEnds();
  private final Session session;
  private final PortForwarder forward;
  private long seen;
  private ReloadReport last;

  HotReloadScenario(HelloApp.Mode mode, int replicas, Links.Link link) throws Exception {
    ApiClient client = link.client();
    this.mode = mode;
    ClusterSetup.ensureNamespace(client);
    String ns = ClusterSetup.NAMESPACE;
    workspace = HelloApp.copy();
    Platform platform = HelloApp.nodePlatform(client);
    Artifact artifact = GoBuilder.create()
        .build(new BuildRequest(workspace, HelloApp.MAIN_PACKAGE, platform));
    // The dev image is pushed once, before the clock runs: directly, whatever the link.
    BuiltImage image = HelloApp.buildImage(workspace, artifact, mode, LocalCluster.REGISTRY
        + "/hello-bench-" + mode.name().toLowerCase(Locale.ROOT) + ":dev");
    deployer = new Deployer(client, ns);
    deployer.apply(HelloApp.manifest(replicas, mode, image, artifact.importPath()));
    deployer.awaitRollout(ns, HelloApp.NAME, Duration.ofMinutes(5));
    HotReload.Configurator configurator = HotReload.forWorkspace(workspace).listener(builds)
        .mainPackage(HelloApp.MAIN_PACKAGE)
        .platform(platform)
        .target(KubernetesTarget.deployment(ns, HelloApp.NAME).apiClient(client));
    if (mode == HelloApp.Mode.AGENT) {
      configurator.transport(new ExecTransport());
    } else {
      // Nothing in a watchexec pod reports the restart: readiness is checked from here.
      configurator.transport(new TarExecTransport())
          .readiness(Readiness.httpGet(HelloApp.PORT, "/healthz"));
    }
    session = configurator.start();
    session.awaitReady(Duration.ofMinutes(3));
    forward = PortForwarder.toPods(client, ns, () -> HelloApp.newestRunningPod(client, ns),
        HelloApp.PORT);
  }

  @Override
  public void editAndAwait(String text) throws Exception {
    seen = session.lastSequence();
    long built = builds.count();
    HelloApp.setGreeting(workspace, text);
    builds.awaitAfter(built, Duration.ofMinutes(3)); // see BuildEnds
    Poll.until(forward::localPort, text, mode.name());
    // One pod answering is not every replica reloaded: the report comes when all are.
    last = session.awaitReloadAfter(seen, Duration.ofMinutes(3));
    if (!last.succeeded()) {
      throw new IllegalStateException(mode + " reload failed: " + last.failure().orElse("?"));
    }
  }

  @Override
  public Figures lastFigures() {
    return Figures.of(last);
  }

  @Override
  public void close() throws Exception {
    try (forward; session) {
      deployer.restore();
    }
  }
}
