package dev.hotreload.examples;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
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

/**
 * The main job: the hello-world service hot-reloaded inside pods of the repository's own local
 * cluster (started if none answers). Builds the binary and a ko-style dev image with the agent,
 * pushes it to the cluster's registry, rewrites {@code examples/hello/k8s/hello.yaml} for dev
 * mode, applies it, and reloads on every save.
 *
 * <pre>
 * KubernetesDemo [--edits N] [--replicas R] [--mode agent|watchexec] [--encoding auto|gzip|identity]
 *                [--namespace NS] [--keep]
 * </pre>
 *
 * With {@code --edits N} it edits a copy of the example N times itself and prints edit→new-answer
 * figures with the phase split; without it, it waits for your edits until Ctrl-C. The Deployment
 * is put back as it was (deleted if new) at the end unless {@code --keep}.
 */
public final class KubernetesDemo {
  private static final String APP = HelloApp.NAME;

  private KubernetesDemo() {}

  /**
   * Runs the demo.
   *
   * @param args see the class comment
   * @throws Exception if a step fails
   */
  public static void main(String[] args) throws Exception {
    int edits = 0;
    int replicas = 1;
    String mode = "agent";
    String namespace = "default";
    boolean keep = false;
    String encoding = "auto";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--edits" -> edits = Integer.parseInt(args[++i]);
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--mode" -> mode = args[++i];
        case "--namespace" -> namespace = args[++i];
        case "--keep" -> keep = true;
        case "--encoding" -> encoding = args[++i];
        default -> throw new IllegalArgumentException("Unknown argument '" + args[i]
            + "'; use --edits N, --replicas R, --mode agent|watchexec, --namespace NS, --keep");
      }
    }
    if (!mode.equals("agent") && !mode.equals("watchexec")) {
      throw new IllegalArgumentException("--mode '" + mode + "' must be agent or watchexec");
    }
    Path workspace = edits > 0 ? HelloApp.copy() : HelloApp.source();
    boolean agentMode = mode.equals("agent");
    HelloApp.Mode devMode = agentMode ? HelloApp.Mode.AGENT : HelloApp.Mode.WATCHEXEC;

    long t0 = System.nanoTime();
    ApiClient client = LocalCluster.client();
    Platform platform = HelloApp.nodePlatform(client);
    step("cluster ready (" + platform + ")", t0);

    t0 = System.nanoTime();
    Artifact artifact = GoBuilder.create()
        .build(new BuildRequest(workspace, HelloApp.MAIN_PACKAGE, platform));
    BuiltImage image = HelloApp.buildImage(workspace, artifact, devMode,
        LocalCluster.REGISTRY + "/" + APP + ":dev");
    step("binary and dev image " + image.reference(), t0);

    t0 = System.nanoTime();
    Deployer deployer = new Deployer(client, namespace);
    deployer.apply(HelloApp.manifest(replicas, devMode, image, artifact.importPath()));
    deployer.awaitRollout(namespace, APP, Duration.ofMinutes(5));
    step("deployed " + replicas + " replica(s) in " + mode + " mode", t0);

    String ns = namespace;
    HotReload.Configurator configurator = HotReload.forWorkspace(workspace)
        .mainPackage(HelloApp.MAIN_PACKAGE)
        .platform(platform)
        .target(KubernetesTarget.deployment(namespace, APP).apiClient(client))
        .transport(!agentMode ? new TarExecTransport()
            : encoding.equals("identity") ? ExecTransport.identity()
            : encoding.equals("gzip") ? ExecTransport.gzip() : new ExecTransport())
        .listener(ConsoleProgress.toStdout().relativeTo(workspace));
    if (!agentMode) {
      // The agent waits inside the pod until the new process accepts on the declared port;
      // in the seed design nothing in the pod knows, so readiness is checked from here.
      configurator.readiness(Readiness.httpGet(HelloApp.PORT, "/healthz"));
    }
    try (Session session = configurator.start();
        PortForwarder forward = PortForwarder.toPods(client, namespace,
            () -> HelloApp.newestRunningPod(client, ns), HelloApp.PORT)) {
      session.awaitReady(Duration.ofMinutes(2));
      if (edits == 0) {
        Runtime.getRuntime().addShutdownHook(new Thread(session::close));
        System.out.println("Edit " + HelloApp.mainFile(workspace) + " and save; "
            + "the service answers on http://127.0.0.1:" + forward.localPort() + "/ ; Ctrl-C stops.");
        session.awaitClose();
        return;
      }
      EditLoop loop = new EditLoop();
      loop.run(session, HelloApp.mainFile(workspace), forward::localPort, edits);
      loop.print("kubernetes, " + mode + " mode, " + replicas + " replica(s)");
    } finally {
      if (!keep) {
        deployer.restore();
      }
    }
  }

  private static void step(String what, long startNanos) {
    System.out.printf("hotreload demo: %s (%d ms)%n", what,
        (System.nanoTime() - startNanos) / 1_000_000);
  }
}
