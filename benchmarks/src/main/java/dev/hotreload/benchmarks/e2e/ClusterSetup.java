package dev.hotreload.benchmarks.e2e;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

/** The namespace every cluster mode deploys into. */
final class ClusterSetup {
  /** Kept apart from the tests' namespaces, so a benchmark never meets a test's pods. */
  static final String NAMESPACE = "hotreload-bench";

  private ClusterSetup() {}

  static void ensureNamespace(ApiClient client) throws ApiException {
    CoreV1Api core = new CoreV1Api(client);
    try {
      core.readNamespace(NAMESPACE).execute();
    } catch (ApiException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(NAMESPACE)))
          .execute();
    }
  }
}
