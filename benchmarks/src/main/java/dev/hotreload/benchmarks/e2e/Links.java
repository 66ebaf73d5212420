package dev.hotreload.benchmarks.e2e;

import dev.hotreload.k8s.testing.LocalCluster;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;

/**
 * The client's connections to the cluster — the API server and the image registry — direct, or
 * through shaped links that stand for a remote cluster.
 */
final class Links {
  /** The seed's GKE case: 20 Mbit/s each way, 20 ms round trip. */
  static final long SLOW_BITS_PER_SECOND = 20_000_000;
  static final Duration SLOW_RTT = Duration.ofMillis(20);

  private Links() {}

  /**
   * A connection.
   *
   * @param client talks to the API server over this link
   * @param registry host:port to push images to over this link; pods pull the same repository
   *     from {@link LocalCluster#REGISTRY}
   * @param shaping the shaped links, null when direct
   */
  record Link(ApiClient client, String registry, ShapedLink[] shaping) implements AutoCloseable {
    /**
     * The reference pods pull for an image pushed through {@link #registry()}.
     *
     * @param pushed the reference the push returned
     * @return the same image at the cluster's registry address
     */
    String forPods(String pushed) {
      return pushed.startsWith(registry + "/")
          ? LocalCluster.REGISTRY + pushed.substring(registry.length()) : pushed;
    }

    @Override
    public void close() throws IOException {
      if (shaping != null) {
        for (ShapedLink link : shaping) {
          link.close();
        }
      }
    }
  }

  static Link open(String link) throws Exception {
    return switch (link) {
      case "direct" -> new Link(LocalCluster.client(), LocalCluster.REGISTRY, null);
      case "20mbit" -> slow();
      default -> throw new IllegalArgumentException("link '" + link + "' is not one of direct, "
          + "20mbit");
    };
  }

  private static Link slow() throws Exception {
    ApiClient client = LocalCluster.newClient();
    URI api = URI.create(client.getBasePath());
    ShapedLink toApi = ShapedLink.start(new InetSocketAddress(api.getHost(), api.getPort()),
        SLOW_BITS_PER_SECOND, SLOW_RTT);
    URI registry = URI.create("http://" + LocalCluster.REGISTRY);
    ShapedLink toRegistry = ShapedLink.start(
        new InetSocketAddress(registry.getHost(), registry.getPort()),
        SLOW_BITS_PER_SECOND, SLOW_RTT);
    // The API server's certificate names 127.0.0.1, so TLS verification still passes.
    client.setBasePath("https://127.0.0.1:" + toApi.localAddress().getPort());
    return new Link(client, "127.0.0.1:" + toRegistry.localAddress().getPort(),
        new ShapedLink[] {toApi, toRegistry});
  }
}
