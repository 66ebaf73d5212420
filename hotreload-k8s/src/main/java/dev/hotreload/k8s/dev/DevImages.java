package dev.hotreload.k8s.dev;

import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import java.io.IOException;

/**
 * Where a dev session's images go so the cluster's nodes can run them: pushed to a registry (the
 * default, {@link KubernetesDev#registry}), or loaded into the nodes' container runtime directly
 * (a K3s or kind node in a container, which cannot reach a registry on this machine's loopback).
 */
@FunctionalInterface
public interface DevImages {

  /**
   * Builds the dev image of one service where the nodes find it.
   *
   * @param image the image, complete but for its destination
   * @param service the service's name, such as {@code hello}
   * @return the built image; its reference is what the rewritten manifests name
   * @throws IOException if building or delivering fails
   * @throws InterruptedException if interrupted
   */
  BuiltImage deliver(ImageBuilder image, String service)
      throws IOException, InterruptedException;

  /**
   * Pushes to a registry as {@code REGISTRY/SERVICE:dev}.
   *
   * @param registry a registry host and optional repository prefix, such as {@code
   *     localhost:5000}
   * @return the delivery
   */
  static DevImages registry(String registry) {
    String prefix = registry.replaceAll("/+$", "");
    return (image, service) -> image.toRegistry(prefix + "/" + service + ":dev").build();
  }
}
