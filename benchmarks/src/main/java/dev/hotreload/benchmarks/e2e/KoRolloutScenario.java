package dev.hotreload.benchmarks.e2e;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import dev.hotreload.Platform;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.examples.HelloApp;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.testing.LocalCluster;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ko-rollout}: the external yardstick. The real ko CLI (built from the Go module proxy by
 * {@code scripts/install-ko}) builds the image and pushes it to the cluster's registry, then
 * {@code kubectl set image} and {@code kubectl rollout status} replace the pods — what a ko user
 * without a dev loop does after each save.
 */
final class KoRolloutScenario implements Scenario {
  private static final String BASE = LocalCluster.REGISTRY + "/ko-base:scratch";
  private static final String REPOSITORY = LocalCluster.REGISTRY + "/hello-bench-ko";

  private final Path ko;
  private final Path workspace;
  private final Platform platform;
  private final Deployer deployer;
  private final PortForwarder forward;
  private final Laps laps = new Laps();

  private KoRolloutScenario(int replicas, ApiClient client) throws Exception {
    ko = koBinary();
    ClusterSetup.ensureNamespace(client);
    workspace = HelloApp.copy();
    platform = HelloApp.nodePlatform(client);
    // ko needs its base in a registry; none can be pulled here, so an empty one is pushed.
    Jib.fromScratch().setCreationTime(Instant.EPOCH).containerize(
        Containerizer.to(RegistryImage.named(BASE)).setAllowInsecureRegistries(true));
    String reference = koBuild();
    deployer = new Deployer(client, ClusterSetup.NAMESPACE);
    deployer.apply(HelloApp.manifest(replicas, HelloApp.Mode.PLAIN,
        new BuiltImage(reference, reference.substring(reference.indexOf('@') + 1),
            List.of(platform), List.of("/ko-app/server"), Duration.ZERO),
        "example.com/hello/cmd/server"));
    deployer.awaitRollout(ClusterSetup.NAMESPACE, HelloApp.NAME, Duration.ofMinutes(5));
    forward = PortForwarder.toPods(client, ClusterSetup.NAMESPACE,
        () -> HelloApp.newestRunningPod(client, ClusterSetup.NAMESPACE), HelloApp.PORT);
  }

  static Scenario start(int replicas, Links.Link link) throws Exception {
    if (link.shaping() != null) {
      // kubectl reads the kubeconfig's server; a shaped link would need a kubeconfig of its own.
      throw new IllegalArgumentException("ko-rollout runs kubectl against the kubeconfig's "
          + "server, which a shaped link does not reach: use link=direct");
    }
    return new KoRolloutScenario(replicas, link.client());
  }

  private static Path koBinary() throws IOException, InterruptedException {
    Path repository = LocalCluster.repositoryRoot();
    Process install = new ProcessBuilder(repository.resolve("scripts/install-ko").toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String path = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
        .strip();
    if (install.waitFor() != 0 || path.isEmpty() || !Files.isExecutable(Path.of(path))) {
      throw new IllegalStateException("the ko CLI is missing and scripts/install-ko could not "
          + "build it (see its output above); run scripts/install-ko by hand");
    }
    return Path.of(path);
  }

  private String koBuild() throws IOException, InterruptedException {
    Map<String, String> env = Map.of("KO_DOCKER_REPO", REPOSITORY, "KO_DEFAULTBASEIMAGE", BASE);
    String out = run(workspace, env, ko.toString(), "build", "--bare", "--sbom=none",
        "--platform=" + platform, HelloApp.MAIN_PACKAGE);
    String reference = out.lines().filter(l -> l.startsWith(REPOSITORY + "@sha256:"))
        .reduce((a, b) -> b).orElseThrow(() -> new IllegalStateException(
            "ko build printed no image reference: " + out));
    return reference.strip();
  }

  private static String run(Path dir, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
    return output;
  }

  private static String kubectl() {
    return System.getenv().getOrDefault("HOTRELOAD_KUBECTL", "kubectl");
  }

  @Override
  public void editAndAwait(String text) throws Exception {
    HelloApp.setGreeting(workspace, text);
    laps.start();
    String reference = koBuild();
    laps.lap("KO_BUILD");
    List<String> kubectl = new ArrayList<>(List.of(kubectl(), "-n", ClusterSetup.NAMESPACE));
    try {
      run(workspace, Map.of(), concat(kubectl, "set", "image", "deployment/" + HelloApp.NAME,
          "app=" + reference));
      run(workspace, Map.of(), concat(kubectl, "rollout", "status",
          "deployment/" + HelloApp.NAME, "--timeout=5m"));
    } catch (IOException e) {
      throw new IllegalStateException("kubectl is not on PATH: eval \"$(scripts/cluster env)\" "
          + "puts the cluster's kubectl there, or set HOTRELOAD_KUBECTL", e);
    }
    laps.lap("ROLLOUT");
    Poll.until(forward::localPort, text, "ko-rollout");
    laps.lap("READY");
  }

  private static String[] concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }

  @Override
  public Figures lastFigures() {
    return new Figures(laps.phases(), -1, -1);
  }

  @Override
  public void close() throws Exception {
    try (forward) {
      deployer.restore();
    }
  }
}
