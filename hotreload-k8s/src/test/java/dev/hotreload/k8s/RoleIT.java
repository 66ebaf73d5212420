package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.HotReloadException;
import dev.hotreload.Platform;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.DevDeployments;
import dev.hotreload.k8s.testing.LocalCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.AuthenticationV1TokenRequest;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1TokenRequestSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * A whole session with a service account bound to exactly {@code k8s/hotreload-role.yaml}, its
 * token handed to the client by a kubeconfig {@code exec} credential plugin (a small program
 * printing an ExecCredential, as GKE's and EKS's kubeconfigs authenticate). Without {@code
 * pods/exec} the session fails with an error that names it.
 */
@ExtendWith(LocalCluster.class)
class RoleIT {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient admin;
  private String namespace;

  @AfterEach
  void deleteNamespace() throws Exception {
    if (namespace != null) {
      new CoreV1Api(admin).deleteNamespace(namespace).execute();
    }
  }

  @Test
  void sessionWithOnlyTheRole_reloads_andWithoutPodsExecSaysWhatIsMissing(ApiClient client)
      throws Exception {
    admin = client;
    namespace = "rbac-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    CoreV1Api core = new CoreV1Api(admin);
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(namespace)))
        .execute();
    core.createNamespacedServiceAccount(namespace, new V1ServiceAccount()
        .metadata(new V1ObjectMeta().name("developer"))).execute();
    Path roleFile = LocalCluster.repositoryRoot().resolve("k8s/hotreload-role.yaml");
    new Deployer(admin, namespace).apply(Files.readString(roleFile));
    new RbacAuthorizationV1Api(admin).createNamespacedRoleBinding(namespace, new V1RoleBinding()
        .metadata(new V1ObjectMeta().name("hotreload"))
        .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role")
            .name("hotreload"))
        .subjects(List.of(new RbacV1Subject().kind("ServiceAccount").name("developer")
            .namespace(namespace)))).execute();
    GoWorkspace workspace = GoWorkspace.create(Files.createDirectories(dir.resolve("ws")), "v0");
    DevDeployments.agentMode(admin, namespace, "svc", workspace, dir, 1);

    ApiClient developer = KubeConnection.kubeconfig(execPluginKubeconfig()).client();
    try (Session session = session(workspace, developer)) {
      ReloadReport first = session.awaitReady(WAIT);
      assertThat(first.deliveries()).hasSize(1).allMatch(ReloadReport.Delivery::succeeded);
      long seen = session.lastSequence();
      workspace.greeting("reloaded with only the Role");
      ReloadReport edit = session.awaitReloadAfter(seen, WAIT);
      assertThat(edit.succeeded()).as(edit.failure().orElse("")).isTrue();
    }

    V1Role role = new RbacAuthorizationV1Api(admin).readNamespacedRole("hotreload", namespace)
        .execute();
    role.getRules().removeIf(rule -> rule.getResources().contains("pods/exec"));
    new RbacAuthorizationV1Api(admin).replaceNamespacedRole("hotreload", namespace, role)
        .execute();
    Thread.sleep(1000); // the authorizer's informer sees the change

    try (Session session = session(workspace, developer)) {
      assertThatThrownBy(() -> session.awaitReady(WAIT))
          .isInstanceOf(HotReloadException.class)
          .hasMessageContaining("pods/exec")
          .hasMessageContaining("forbidden");
    }
  }

  private Session session(GoWorkspace workspace, ApiClient client) {
    return HotReload.forWorkspace(workspace.root())
        .mainPackage("./cmd/server")
        .platform(Platform.linuxHost())
        .target(KubernetesTarget.deployment(namespace, "svc").apiClient(client))
        .start();
  }

  /** A kubeconfig whose user runs a plugin that prints the service account's token. */
  @SuppressWarnings("unchecked")
  private Path execPluginKubeconfig() throws Exception {
    String token = new CoreV1Api(admin).createNamespacedServiceAccountToken("developer",
            namespace, new AuthenticationV1TokenRequest()
                .spec(new V1TokenRequestSpec().expirationSeconds(3600L)))
        .execute().getStatus().getToken();
    Path plugin = dir.resolve("token-plugin");
    Files.writeString(plugin, "#!/bin/sh\ncat <<'EOF'\n{\"apiVersion\":"
        + "\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":"
        + "{\"token\":\"" + token + "\"}}\nEOF\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, Object> adminConfig = new Yaml().load(
        Files.readString(LocalCluster.kubeconfig(), StandardCharsets.UTF_8));
    Map<String, Object> cluster = ((List<Map<String, Object>>) adminConfig.get("clusters")).get(0);
    Map<String, Object> config = Map.of(
        "apiVersion", "v1", "kind", "Config",
        "clusters", List.of(cluster),
        "users", List.of(Map.of("name", "developer", "user", Map.of("exec", Map.of(
            "apiVersion", "client.authentication.k8s.io/v1", "command", plugin.toString(),
            "interactiveMode", "Never")))),
        "contexts", List.of(Map.of("name", "developer", "context", Map.of(
            "cluster", cluster.get("name"), "user", "developer", "namespace", namespace))),
        "current-context", "developer");
    Path file = dir.resolve("developer.kubeconfig");
    Files.writeString(file, new Yaml().dump(config), StandardCharsets.UTF_8);
    return file;
  }
}
