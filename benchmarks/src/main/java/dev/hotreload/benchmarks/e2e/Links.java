package dev.hotreload.benchmarks.e2e;

import io.kubernetes.client.openapi.ApiClient;

/** The client's connection to the API server: direct, or through a shaped link. */
final class Links {
  private Links() {}

  /**
   * A connection.
   *
   * @param client talks to the API server over this link
   */
  record Link(ApiClient client, AutoCloseable shaping) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      if (shaping != null) {
        shaping.close();
      }
    }
  }

  static Link open(String link, ApiClient direct) throws Exception {
    return switch (link) {
      case "direct" -> new Link(direct, null);
      default -> throw new IllegalArgumentException("link '" + link + "' is not one of direct, "
          + "20mbit");
    };
  }
}
