package dev.hotreload.k8s.dev;

import dev.hotreload.Platform;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The platforms of the nodes pods can run on: each schedulable node's OS and architecture, as
 * its kubelet reports them. Several platforms mean one binary per platform.
 */
final class NodePlatforms {
  private NodePlatforms() {}

  static List<Platform> of(ApiClient client) throws IOException {
    try {
      return of(new CoreV1Api(client).listNode().execute().getItems());
    } catch (ApiException e) {
      throw new IOException("Cannot list the nodes to learn their platform (HTTP " + e.getCode()
          + "): grant 'list nodes', or set the platform with .platform(\"linux/amd64\")", e);
    }
  }

  static List<Platform> of(List<V1Node> nodes) throws IOException {
    List<Platform> platforms = new ArrayList<>();
    for (V1Node node : nodes) {
      if (Boolean.TRUE.equals(Optional.ofNullable(node.getSpec())
          .map(s -> s.getUnschedulable()).orElse(false))) {
        continue;
      }
      V1NodeSystemInfo info = node.getStatus() == null ? null : node.getStatus().getNodeInfo();
      if (info == null) {
        continue;
      }
      Platform platform = Platform.of(info.getOperatingSystem(), info.getArchitecture());
      if (!platforms.contains(platform)) {
        platforms.add(platform);
      }
    }
    if (platforms.isEmpty()) {
      throw new IOException("No schedulable node reports its platform: set it with "
          + ".platform(\"linux/amd64\")");
    }
    return List.copyOf(platforms);
  }
}
