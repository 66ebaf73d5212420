package dev.hotreload.k8s.deploy;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.hotreload.Session;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.PatchOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Applies manifests with server-side apply (field manager {@code hotreload}), waits for
 * Deployments to roll out, and can put back what was there before.
 *
 * <p>Any kind the API server knows is applied; its resource name comes from discovery, so
 * custom resources work too. Not thread-safe: one deployer per session.
 */
public final class Deployer {
  /** The field manager name, visible in {@code managedFields}. */
  public static final String FIELD_MANAGER = "hotreload";
  private static final Gson GSON = new Gson();

  private final ApiClient client;
  private final String defaultNamespace;
  private Set<Discovery.APIResource> resources;
  private final List<Applied> applied = new ArrayList<>();

  /**
   * One object this deployer applied.
   *
   * @param apiVersion its apiVersion
   * @param kind its kind
   * @param namespace its namespace, null for cluster-scoped objects
   * @param name its name
   * @param before the object as it was before, empty if it did not exist
   */
  public record Applied(String apiVersion, String kind, String namespace, String name,
      Optional<DynamicKubernetesObject> before) {}

  /**
   * A deployer.
   *
   * @param client the API client
   * @param defaultNamespace the namespace for documents that name none
   */
  public Deployer(ApiClient client, String defaultNamespace) {
    this.client = Objects.requireNonNull(client, "client");
    this.defaultNamespace = Objects.requireNonNull(defaultNamespace, "defaultNamespace");
  }

  /**
   * Applies every document of a YAML text, in order.
   *
   * @param yaml one or more documents ({@code ---} separated); {@code kind: List} is expanded
   * @return what was applied
   * @throws IOException naming the document that failed and the server's reason
   */
  public List<Applied> apply(String yaml) throws IOException {
    List<Applied> done = new ArrayList<>();
    int index = 0;
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      index++;
      if (document == null) {
        continue;
      }
      if (!(document instanceof Map<?, ?> map)) {
        throw new IOException("Document " + index + " is not a Kubernetes object (a mapping)");
      }
      if ("List".equals(map.get("kind")) && map.get("items") instanceof List<?> items) {
        for (Object item : items) {
          done.add(applyOne((Map<?, ?>) item, index));
        }
      } else {
        done.add(applyOne(map, index));
      }
    }
    applied.addAll(done);
    return done;
  }

  private Applied applyOne(Map<?, ?> object, int index) throws IOException {
    String apiVersion = String.valueOf(object.get("apiVersion"));
    String kind = String.valueOf(object.get("kind"));
    Map<?, ?> metadata = object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
    String name = (String) metadata.get("name");
    if (name == null || kind.equals("null") || apiVersion.equals("null")) {
      throw new IOException("Document " + index + " lacks apiVersion, kind or metadata.name");
    }
    Discovery.APIResource resource = resource(apiVersion, kind, index);
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    boolean namespaced = Boolean.TRUE.equals(resource.getNamespaced());
    String namespace = namespaced
        ? Optional.ofNullable((String) metadata.get("namespace")).orElse(defaultNamespace) : null;
    DynamicKubernetesApi api =
        new DynamicKubernetesApi(group, version, resource.getResourcePlural(), client);

    KubernetesApiResponse<DynamicKubernetesObject> existing =
        namespaced ? api.get(namespace, name) : api.get(name);
    Optional<DynamicKubernetesObject> before =
        existing.isSuccess() ? Optional.of(existing.getObject()) : Optional.empty();

    JsonObject body = GSON.toJsonTree(object).getAsJsonObject();
    V1Patch patch = new V1Patch(GSON.toJson(body));
    PatchOptions options = new PatchOptions();
    options.setFieldManager(FIELD_MANAGER);
    options.setForce(true);
    KubernetesApiResponse<DynamicKubernetesObject> response = namespaced
        ? api.patch(namespace, name, V1Patch.PATCH_FORMAT_APPLY_YAML, patch, options)
        : api.patch(name, V1Patch.PATCH_FORMAT_APPLY_YAML, patch, options);
    if (!response.isSuccess()) {
      throw new IOException("Applying document " + index + " (" + kind + " " + name + ") failed: "
          + response.getHttpStatusCode() + " " + Optional.ofNullable(response.getStatus())
              .map(s -> s.getMessage()).orElse(""));
    }
    return new Applied(apiVersion, kind, namespace, name, before);
  }

  private Discovery.APIResource resource(String apiVersion, String kind, int index)
      throws IOException {
    if (resources == null) {
      try {
        resources = new Discovery(client).findAll();
      } catch (ApiException e) {
        throw new IOException("API discovery failed: HTTP " + e.getCode(), e);
      }
    }
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    return resources.stream()
        .filter(r -> r.getKind().equals(kind) && Objects.equals(r.getGroup(), group)
            && r.getVersions().contains(version))
        .findFirst()
        .orElseThrow(() -> new IOException("Document " + index + ": the API server does not "
            + "serve " + kind + " in " + apiVersion + " (is its CRD installed?)"));
  }

  /**
   * Waits until a Deployment has rolled out: the new generation observed and every replica
   * updated and available.
   *
   * @param namespace its namespace
   * @param name its name
   * @param timeout how long to wait
   * @throws IOException if it does not roll out in time, with its last status
   * @throws InterruptedException if interrupted
   */
  public void awaitRollout(String namespace, String name, Duration timeout)
      throws IOException, InterruptedException {
    AppsV1Api apps = new AppsV1Api(client);
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no status yet";
    while (System.nanoTime() < deadline) {
      try {
        V1Deployment d = apps.readNamespacedDeployment(name, namespace).execute();
        V1DeploymentStatus s = d.getStatus();
        int replicas = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
        if (s != null) {
          last = "generation " + s.getObservedGeneration() + "/" + d.getMetadata().getGeneration()
              + ", updated " + s.getUpdatedReplicas() + ", available " + s.getAvailableReplicas()
              + ", total " + s.getReplicas() + " of " + replicas;
          if (Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
              && Objects.equals(s.getUpdatedReplicas(), replicas)
              && Objects.equals(s.getAvailableReplicas(), replicas)
              && Objects.equals(s.getReplicas(), replicas)) {
            return;
          }
        }
      } catch (ApiException e) {
        last = "HTTP " + e.getCode();
      }
      Thread.sleep(100);
    }
    throw new IOException("Deployment " + namespace + "/" + name + " did not roll out within "
        + timeout.toSeconds() + " s: " + last + ". `kubectl describe pods` shows why.");
  }

  /**
   * Ties the restore to a session: closing the returned session closes {@code session} and then
   * {@linkplain #restore() restores} what this deployer applied, so a dev session leaves the
   * cluster as it found it.
   *
   * <pre>{@code
   * Session session = deployer.restoreOnClose(HotReload.forWorkspace(dir)...start());
   * }</pre>
   *
   * @param session the session to wrap
   * @return a session that restores when closed (once, however often it is closed)
   */
  public Session restoreOnClose(Session session) {
    return new RestoringSession(Objects.requireNonNull(session, "session"), this);
  }

  /**
   * Puts back what was there before this deployer applied: re-applies the previous objects and
   * deletes the ones it created.
   *
   * @throws IOException if the API server refuses
   */
  public void restore() throws IOException {
    for (int i = applied.size() - 1; i >= 0; i--) {
      Applied a = applied.get(i);
      Discovery.APIResource resource = resource(a.apiVersion(), a.kind(), i + 1);
      String group = a.apiVersion().contains("/")
          ? a.apiVersion().substring(0, a.apiVersion().indexOf('/')) : "";
      String version = a.apiVersion().substring(a.apiVersion().indexOf('/') + 1);
      DynamicKubernetesApi api =
          new DynamicKubernetesApi(group, version, resource.getResourcePlural(), client);
      if (a.before().isEmpty()) {
        KubernetesApiResponse<DynamicKubernetesObject> r = a.namespace() != null
            ? api.delete(a.namespace(), a.name()) : api.delete(a.name());
        if (!r.isSuccess() && r.getHttpStatusCode() != 404) {
          throw new IOException("Deleting " + a.kind() + " " + a.name() + " failed: HTTP "
              + r.getHttpStatusCode());
        }
      } else {
        JsonObject previous = a.before().get().getRaw().deepCopy();
        JsonObject meta = previous.getAsJsonObject("metadata");
        for (String field : List.of("managedFields", "resourceVersion", "uid",
            "creationTimestamp", "generation")) {
          meta.remove(field);
        }
        previous.remove("status");
        PatchOptions options = new PatchOptions();
        options.setFieldManager(FIELD_MANAGER);
        options.setForce(true);
        V1Patch patch = new V1Patch(GSON.toJson(previous));
        KubernetesApiResponse<DynamicKubernetesObject> r = a.namespace() != null
            ? api.patch(a.namespace(), a.name(), V1Patch.PATCH_FORMAT_APPLY_YAML, patch, options)
            : api.patch(a.name(), V1Patch.PATCH_FORMAT_APPLY_YAML, patch, options);
        if (!r.isSuccess()) {
          throw new IOException("Restoring " + a.kind() + " " + a.name() + " failed: HTTP "
              + r.getHttpStatusCode());
        }
      }
    }
    applied.clear();
  }
}
