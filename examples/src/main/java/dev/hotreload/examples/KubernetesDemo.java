package dev.hotreload.examples;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.Session;
import dev.hotreload.core.AgentManifestTransformer;
import dev.hotreload.core.BuiltImage;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.GoBuilder;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.ImageBuilder;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.WatchexecManifestTransformer;
import dev.hotreload.core.internal.AgentBinaries;
import dev.hotreload.core.testing.WatchexecBinary;
import dev.hotreload.k8s.Deployer;
import dev.hotreload.k8s.ExecTransport;
import dev.hotreload.k8s.ImageMatcher;
import dev.hotreload.k8s.KubernetesTarget;
import dev.hotreload.k8s.ManifestRewriter;
import dev.hotreload.k8s.PortForwarder;
import dev.hotreload.k8s.TarExecTransport;
import dev.hotreload.k8s.testing.BusyboxGlibcBase;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.ManifestTransformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;

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
  private static final String APP = "hello";

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
    Path source = LocalCluster.repositoryRoot().resolve("examples/hello");
    Path workspace = edits > 0 ? EditLoop.copy(source) : source;
    boolean agentMode = mode.equals("agent");

    long t0 = System.nanoTime();
    ApiClient client = LocalCluster.client();
    Platform platform = nodePlatform(client);
    step("cluster ready (" + platform + ")", t0);

    t0 = System.nanoTime();
    Artifact artifact = GoBuilder.create()
        .build(new BuildRequest(workspace, "./cmd/server", platform));
    ImageBuilder images = ImageBuilder.forWorkspace(workspace).binary(artifact);
    ManifestTransformer transformer;
    if (agentMode) {
      images.supervisor(AgentBinaries.createDefault().agentFor(platform),
          AgentManifestTransformer.AGENT_PATH);
      transformer = AgentManifestTransformer.DEFAULT;
    } else {
      // The seed design needs tar in the image and watchexec in kodata.
      Files.copy(WatchexecBinary.require(), workspace.resolve("kodata/watchexec"),
          StandardCopyOption.REPLACE_EXISTING);
      images.base(BusyboxGlibcBase.build(Files.createTempFile("hotreload-base-", ".tar")));
      transformer = WatchexecManifestTransformer.create();
    }
    BuiltImage image = images.toRegistry(LocalCluster.REGISTRY + "/" + APP + ":dev").build();
    step("binary and dev image " + image.reference(), t0);

    t0 = System.nanoTime();
    String manifest = Files.readString(source.resolve("k8s/hello.yaml"))
        .replace("replicas: 1", "replicas: " + replicas);
    if (!agentMode) {
      // The seed design writes the binary into /ko-app: it cannot run read-only or as non-root.
      manifest = manifest.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
          .replace("runAsNonRoot: true", "runAsNonRoot: false")
          .replace("runAsUser: 65532", "runAsUser: 0");
    }
    ManifestRewriter.Result rewritten = ManifestRewriter.of(
            ImageMatcher.parse("ko://" + artifact.importPath()),
            new ManifestTransformer.Context(image.reference(), image.entrypoint()), transformer)
        .rewrite(manifest);
    Deployer deployer = new Deployer(client, namespace);
    deployer.apply(rewritten.yaml());
    deployer.awaitRollout(namespace, APP, Duration.ofMinutes(5));
    step("deployed " + replicas + " replica(s) in " + mode + " mode", t0);

    String ns = namespace;
    HotReload.Configurator configurator = HotReload.forWorkspace(workspace)
        .mainPackage("./cmd/server")
        .platform(platform)
        .target(KubernetesTarget.deployment(namespace, APP).apiClient(client))
        .transport(!agentMode ? new TarExecTransport()
            : encoding.equals("identity") ? ExecTransport.identity()
            : encoding.equals("gzip") ? ExecTransport.gzip() : new ExecTransport())
        .listener(ConsoleProgress.toStdout().relativeTo(workspace));
    if (!agentMode) {
      // The agent waits inside the pod until the new process accepts on the declared port;
      // in the seed design nothing in the pod knows, so readiness is checked from here.
      configurator.readiness(Readiness.httpGet(8080, "/healthz"));
    }
    try (Session session = configurator.start();
        PortForwarder forward = PortForwarder.toPods(client, namespace,
            () -> anyRunningPod(client, ns), 8080)) {
      session.awaitReady(Duration.ofMinutes(2));
      if (edits == 0) {
        Runtime.getRuntime().addShutdownHook(new Thread(session::close));
        System.out.println("Edit " + workspace.resolve("cmd/server/main.go") + " and save; "
            + "the service answers on http://127.0.0.1:" + forward.localPort() + "/ ; Ctrl-C stops.");
        session.awaitClose();
        return;
      }
      EditLoop loop = new EditLoop();
      loop.run(session, workspace.resolve("cmd/server/main.go"), forward::localPort, edits);
      loop.print("kubernetes, " + mode + " mode, " + replicas + " replica(s)");
    } finally {
      if (!keep) {
        deployer.restore();
      }
    }
  }

  private static Platform nodePlatform(ApiClient client) throws Exception {
    V1NodeSystemInfo info = new CoreV1Api(client).listNode().execute().getItems().get(0)
        .getStatus().getNodeInfo();
    return Platform.of(info.getOperatingSystem(), info.getArchitecture());
  }

  private static String anyRunningPod(ApiClient client, String namespace) {
    try {
      return new CoreV1Api(client).listNamespacedPod(namespace).labelSelector("app=" + APP)
          .execute().getItems().stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
          .filter(p -> "Running".equals(p.getStatus().getPhase()))
          .map(V1Pod::getMetadata).map(m -> m.getName())
          .min(Comparator.naturalOrder())
          .orElseThrow(() -> new IllegalStateException("no running pod of " + APP));
    } catch (Exception e) {
      throw new IllegalStateException("listing pods of " + APP + " failed: " + e.getMessage(), e);
    }
  }

  private static void step(String what, long startNanos) {
    System.out.printf("hotreload demo: %s (%d ms)%n", what,
        (System.nanoTime() - startNanos) / 1_000_000);
  }
}
