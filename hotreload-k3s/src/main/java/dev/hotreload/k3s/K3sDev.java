package dev.hotreload.k3s;

import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.dev.DevImages;
import dev.hotreload.k8s.dev.KubernetesDev;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.MountableFile;

/**
 * Points a {@link KubernetesDev} session at a K3s cluster from Testcontainers: the cluster's
 * kubeconfig as its connection, and its dev images imported into the node's containerd ({@code
 * ctr images import} in the node container) instead of pushed to a registry.
 *
 * <pre>{@code
 * try (DevSession dev = K3sDev.on(k3s, KubernetesDev.forWorkspace(workspace)
 *         .manifests(workspace.resolve("k8s"))
 *         .portForward("deployment/hello", 8080))
 *     .start()) { ... }
 * }</pre>
 */
public final class K3sDev {
  /** Where K3s's containerd listens in its node container. */
  public static final String CONTAINERD_SOCKET = "/run/k3s/containerd/containerd.sock";

  private K3sDev() {}

  /**
   * Sets the session's connection and image delivery for a started K3s container.
   *
   * @param k3s the started cluster
   * @param dev the session's settings; its {@code connection} and {@code images} are replaced
   * @return {@code dev}
   * @throws IllegalStateException if the container has not been started
   */
  public static KubernetesDev on(K3sContainer k3s, KubernetesDev dev) {
    return dev.connection(connection(k3s)).images(images(k3s));
  }

  /**
   * The cluster's connection, from the kubeconfig K3s wrote (its server address as this machine
   * reaches it).
   *
   * @param k3s the started cluster
   * @return the connection, namespace {@code default}
   * @throws IllegalStateException if the container has not been started
   */
  public static KubeConnection connection(K3sContainer k3s) {
    requireStarted(k3s);
    return KubeConnection.kubeconfigYaml(k3s.getKubeConfigYaml());
  }

  /**
   * Dev images built here, written as an image archive, copied into the node container and
   * imported into its containerd under {@code hotreload.local/SERVICE:dev} — which the rewritten
   * manifests name; the kubelet finds it there and never pulls it. One platform: the node's.
   *
   * @param node the started node container (a {@link K3sContainer}, or any K3s-like node with
   *     {@code ctr} and containerd at {@link #CONTAINERD_SOCKET})
   * @return the delivery
   */
  public static DevImages images(GenericContainer<?> node) {
    Objects.requireNonNull(node, "node");
    return (image, service) -> importInto(node, image, service);
  }

  private static BuiltImage importInto(GenericContainer<?> node, ImageBuilder image,
      String service) throws IOException, InterruptedException {
    requireStarted(node);
    String reference = "hotreload.local/" + service + ":dev";
    Path tar = Files.createTempFile("hotreload-" + service + "-", ".tar");
    try {
      BuiltImage built = image.toDockerTar(tar, reference).build();
      String inNode = "/tmp/hotreload-" + service + "-dev.tar";
      node.copyFileToContainer(MountableFile.forHostPath(tar), inNode);
      Container.ExecResult imported = node.execInContainer("ctr", "--address",
          CONTAINERD_SOCKET, "--namespace", "k8s.io", "images", "import", inNode);
      node.execInContainer("rm", "-f", inNode);
      if (imported.getExitCode() != 0) {
        throw new IOException("Importing " + reference + " into the K3s node's containerd failed "
            + "(ctr exit " + imported.getExitCode() + "): " + imported.getStderr().strip()
            + imported.getStdout().strip());
      }
      return built;
    } finally {
      Files.deleteIfExists(tar);
    }
  }

  private static void requireStarted(GenericContainer<?> container) {
    if (container.getContainerId() == null) {
      throw new IllegalStateException("The K3s container has not been started: start() it "
          + "before the dev session");
    }
  }
}
