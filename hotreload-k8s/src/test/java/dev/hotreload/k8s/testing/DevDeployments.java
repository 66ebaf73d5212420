package dev.hotreload.k8s.testing;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentBinaries;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.core.testing.WatchexecBinary;
import dev.hotreload.core.watchexec.WatchexecManifestTransformer;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deploys the test Go service ({@link GoWorkspace}) to the local cluster in one of the two dev
 * modes and waits for its rollout, so integration tests start from a running dev workload.
 */
public final class DevDeployments {
  /** The namespace the tests use. */
  public static final String NAMESPACE = "default";
  private static final Duration WAIT = Duration.ofMinutes(3);

  private DevDeployments() {}

  /**
   * A name unique enough for one test run.
   *
   * @param prefix what the workload is for
   * @return {@code prefix-<random>}
   */
  public static String uniqueName(String prefix) {
    return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  }

  /**
   * Agent mode: a {@code FROM scratch} image with the app and the agent, running as non-root
   * with a read-only root file system.
   *
   * @param client the cluster
   * @param name the Deployment's name (also its {@code app} label)
   * @param workspace the Go service
   * @param dir a scratch directory for the build cache
   * @param replicas how many pods
   * @throws Exception if building, pushing or the rollout fails
   */
  public static void agentMode(ApiClient client, String name, GoWorkspace workspace, Path dir,
      int replicas) throws Exception {
    agentMode(client, NAMESPACE, name, workspace, dir, replicas);
  }

  /**
   * Agent mode in a namespace of the test's.
   *
   * @param client the cluster
   * @param namespace where to deploy
   * @param name the Deployment's name (also its {@code app} label)
   * @param workspace the Go service
   * @param dir a scratch directory for the build cache
   * @param replicas how many pods
   * @throws Exception if building, pushing or the rollout fails
   */
  public static void agentMode(ApiClient client, String namespace, String name,
      GoWorkspace workspace, Path dir, int replicas) throws Exception {
    agentMode(client, namespace, name, workspace, dir, replicas, new V1EmptyDirVolumeSource());
  }

  /**
   * Agent mode with the agent's volume as given: a size-limited memory-backed one, for
   * example, answers ENOSPC when full.
   *
   * @param client the cluster
   * @param namespace where to deploy
   * @param name the Deployment's name (also its {@code app} label)
   * @param workspace the Go service
   * @param dir a scratch directory for the build cache
   * @param replicas how many pods
   * @param agentVolume the emptyDir mounted for the agent
   * @throws Exception if building, pushing or the rollout fails
   */
  public static void agentMode(ApiClient client, String namespace, String name,
      GoWorkspace workspace, Path dir, int replicas, V1EmptyDirVolumeSource agentVolume)
      throws Exception {
    Platform platform = Platform.linuxHost();
    BuiltImage image = ImageBuilder.forWorkspace(workspace.root())
        .binary(build(workspace, dir, platform))
        .supervisor(AgentBinaries.createDefault().agentFor(platform), AgentLayout.PATH)
        .toRegistry(LocalCluster.REGISTRY + "/hotreload-it/" + name + ":dev")
        .build();
    V1Container app = new V1Container()
        .name("app")
        .image(image.reference())
        .command(AgentLayout.runCommand("app", List.of(), List.of("/ko-app/server")))
        .env(List.of(new V1EnvVar().name("PORT").value("8080")))
        .ports(List.of(new V1ContainerPort().containerPort(8080)))
        .volumeMounts(List.of(new V1VolumeMount().name(AgentLayout.VOLUME_NAME)
            .mountPath(AgentLayout.STATE_DIRECTORY)))
        .securityContext(new V1SecurityContext().readOnlyRootFilesystem(true)
            .allowPrivilegeEscalation(false));
    V1PodSpec pod = new V1PodSpec()
        .terminationGracePeriodSeconds(2L)
        .securityContext(new V1PodSecurityContext().runAsNonRoot(true).runAsUser(65532L))
        .containers(List.of(app))
        .volumes(List.of(new V1Volume().name(AgentLayout.VOLUME_NAME)
            .emptyDir(agentVolume)));
    deploy(client, namespace, name, replicas, pod);
  }

  /**
   * The seed design: watchexec from kodata supervises the app in a BusyBox-based image, and
   * binaries arrive as tar into {@code /ko-app}.
   *
   * @param client the cluster
   * @param name the Deployment's name (also its {@code app} label)
   * @param workspace the Go service
   * @param dir a scratch directory for the build cache and the base image
   * @throws Exception if building, pushing or the rollout fails
   */
  public static void watchexecMode(ApiClient client, String name, GoWorkspace workspace,
      Path dir) throws Exception {
    Path kodata = Files.createDirectories(workspace.root().resolve("kodata"));
    Files.copy(WatchexecBinary.require(), kodata.resolve("watchexec"),
        StandardCopyOption.REPLACE_EXISTING);
    Artifact artifact = build(workspace, dir, Platform.linuxHost());
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
    deploy(client, NAMESPACE, name, 1, new V1PodSpec().terminationGracePeriodSeconds(2L)
        .containers(List.of(app)));
  }

  /**
   * Deletes the Deployment; quiet when it is gone already.
   *
   * @param client the cluster
   * @param name the Deployment
   */
  public static void delete(ApiClient client, String name) {
    try {
      new AppsV1Api(client).deleteNamespacedDeployment(name, NAMESPACE).execute();
    } catch (Exception e) {
      // gone already, or the cluster is: nothing left to clean up here
    }
  }

  private static Artifact build(GoWorkspace workspace, Path dir, Platform platform)
      throws Exception {
    return GoBuilder.builder().cacheDirectory(dir.resolve("cache")).build()
        .build(new BuildRequest(workspace.root(), "./cmd/server", platform));
  }

  private static void deploy(ApiClient client, String namespace, String name, int replicas,
      V1PodSpec pod) throws Exception {
    new AppsV1Api(client).createNamespacedDeployment(namespace, new V1Deployment()
        .metadata(new V1ObjectMeta().name(name).labels(Map.of("app", name)))
        .spec(new V1DeploymentSpec()
            .replicas(replicas)
            .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
            .template(new V1PodTemplateSpec()
                .metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                .spec(pod)))).execute();
    new Deployer(client, namespace).awaitRollout(namespace, name, WAIT);
  }
}
