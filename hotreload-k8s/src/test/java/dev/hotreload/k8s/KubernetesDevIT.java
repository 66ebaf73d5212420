package dev.hotreload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Platform;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentProtocol;
import dev.hotreload.core.build.ElfHeader;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PodExec;
import dev.hotreload.k8s.testing.Http10;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.k8s.testing.ShopWorkspace;
import dev.hotreload.spi.Destination;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodReadinessGate;
import io.kubernetes.client.openapi.models.V1Scale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.kubernetes.client.util.PatchUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The one-call dev session on the real cluster: two services of one module, selected through a
 * named kubeconfig context, port-forwarded, reloaded only where an edit reaches, and the
 * namespace put back exactly as it was.
 */
@ExtendWith(LocalCluster.class)
class KubernetesDevIT {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private ApiClient client;
  private String namespace;

  @AfterEach
  void deleteNamespace() throws Exception {
    if (namespace != null) {
      new CoreV1Api(client).deleteNamespace(namespace).execute();
    }
  }

  @Test
  void twoServices_namedContext_editsReloadOnlyImporters_forwardsSurvive_closeRestores(
      ApiClient apiClient) throws Exception {
    client = apiClient;
    namespace = "shop-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    CoreV1Api core = new CoreV1Api(client);
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(namespace)))
        .execute();
    core.createNamespacedConfigMap(namespace, new V1ConfigMap()
        .metadata(new V1ObjectMeta().name("shop-config")).data(Map.of("mode", "prod")))
        .execute();
    Map<String, String> before = snapshot();
    ShopWorkspace shop = ShopWorkspace.create(Files.createDirectories(dir.resolve("shop")));
    List<String> output = new CopyOnWriteArrayList<>();
    ReloadListener outputLines = new ReloadListener() {
      @Override
      public void output(Destination destination, String line) {
        output.add(destination.id() + " " + line);
      }
    };

    DevSession dev = KubernetesDev.forWorkspace(shop.root())
        .manifests(shop.root().resolve("k8s"))
        .connection(KubeConnection.kubeconfig(kubeconfigWithContext("shop-dev", namespace)))
        .context("shop-dev")
        .registry(LocalCluster.REGISTRY)
        .portForward("deployment/front", 0, 8080)
        .portForward("deployment/back", 0, 8080)
        .listener(ReloadListener.compose(outputLines, ConsoleProgress.toStdout()))
        .start();
    try {
      dev.awaitReady(WAIT);
      assertThat(dev.services()).containsOnlyKeys("front", "back");
      assertThat(new AppsV1Api(client).listNamespacedDeployment(namespace).execute().getItems())
          .as("the context's namespace holds the workloads").hasSize(2);
      IntSupplier front = () -> dev.localPort("deployment/front");
      IntSupplier back = () -> dev.localPort("deployment/back");
      awaitAnswer(front, "v1 front");
      awaitAnswer(back, "v1 back");

      String nodeArch = core.listNode().execute().getItems().get(0).getStatus().getNodeInfo()
          .getArchitecture();
      assertThat(dev.history()).filteredOn(r -> r.reload().trigger() == Reload.Trigger.INITIAL)
          .as("the pods run the build their dev image holds: nothing to send")
          .hasSize(2).allMatch(r -> r.bytesSent() == 0 && r.succeeded());
      ReloadReport first = dev.history().get(0);
      assertThat(ElfHeader.read(first.artifact().orElseThrow().path()).orElseThrow()
          .runsOn(Platform.of("linux", nodeArch))).as("built for the node's " + nodeArch)
          .isTrue();

      long seen = dev.lastSequence();
      shop.frontText("front, edited");
      ReloadReport onlyFront = dev.awaitReloadAfter(seen, WAIT);
      assertThat(onlyFront.reload().sessionName()).isEqualTo("front");
      assertThat(onlyFront.succeeded()).as(onlyFront.failure().orElse("")).isTrue();
      awaitAnswer(front, "v1 front, edited");
      Thread.sleep(1500); // time enough for a wrong reload of back to show up
      assertThat(dev.history().subList((int) seen, dev.history().size()))
          .extracting(r -> r.reload().sessionName()).containsOnly("front");

      seen = dev.lastSequence();
      shop.common("v2");
      List<String> reloaded = new ArrayList<>();
      reloaded.add(dev.awaitReloadAfter(seen, WAIT).reload().sessionName());
      reloaded.add(dev.awaitReloadAfter(seen + 1, WAIT).reload().sessionName());
      assertThat(reloaded).containsExactlyInAnyOrder("front", "back");
      awaitAnswer(front, "v2 front, edited");
      awaitAnswer(back, "v2 back");

      int frontPort = front.getAsInt();
      V1Pod pod = core.listNamespacedPod(namespace).labelSelector("app=front").execute()
          .getItems().get(0);
      long beforeReplacement = dev.lastSequence();
      core.deleteNamespacedPod(pod.getMetadata().getName(), namespace).execute();
      // The deleted pod answers through the forward while it terminates: the replacement is
      // known to run the current binary once its reload is reported.
      ReloadReport replaced = dev.awaitReloadAfter(beforeReplacement, WAIT);
      for (long seq = beforeReplacement + 1;
          replaced.reload().trigger() != Reload.Trigger.TARGET_CHANGED; seq++) {
        replaced = dev.awaitReloadAfter(seq, WAIT);
      }
      assertThat(replaced.succeeded()).as(replaced.failure().orElse("")).isTrue();
      awaitAnswer(front, "v2 front, edited"); // the replacement, got the current binary
      assertThat(replaced.bytesSent()).as("a delta against the image's binary, not the whole")
          .isLessThan(replaced.artifact().orElseThrow().size() / 4);
      assertThat(front.getAsInt()).as("the same local port").isEqualTo(frontPort);

      // A new pod is Ready only once it runs the current build: the pod template carries the
      // session's readiness gate, which the session opens after it saw the pod's agent run it.
      V1Deployment backDeployment = new AppsV1Api(client)
          .readNamespacedDeployment("back", namespace).execute();
      assertThat(backDeployment.getSpec().getTemplate().getSpec().getReadinessGates())
          .extracting(V1PodReadinessGate::getConditionType)
          .containsExactly(KubernetesDev.READINESS_GATE);
      String currentBack = dev.history().stream()
          .filter(r -> r.reload().sessionName().equals("back") && r.succeeded())
          .reduce((a, b) -> b).orElseThrow().artifact().orElseThrow().sha256();
      Set<String> before2 = podNames("app=back");
      PatchUtils.patch(V1Scale.class, () -> new AppsV1Api(client)
              .patchNamespacedDeploymentScale("back", namespace,
                  new V1Patch("{\"spec\":{\"replicas\":2}}")).buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
      V1Pod added = awaitReadyPodOutside("app=back", before2);
      assertThat(added.getStatus().getConditions())
          .anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo(KubernetesDev.READINESS_GATE);
            assertThat(c.getStatus()).isEqualTo("True");
          });
      assertThat(agentSha256(added)).as("what the new pod runs when it turns Ready")
          .isEqualTo(currentBack);
      assertThat(output).as("app logs, prefixed by service and pod")
          .anyMatch(line -> line.startsWith("front pod/") && line.contains("front listening"));
    } finally {
      dev.close();
    }
    assertThat(snapshot()).as("the namespace after close, against before start")
        .isEqualTo(before);
  }

  private Set<String> podNames(String selector) throws Exception {
    return new CoreV1Api(client).listNamespacedPod(namespace).labelSelector(selector).execute()
        .getItems().stream().map(p -> p.getMetadata().getName())
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Waits for a pod of the selector, not one of these, to be Ready; returns it. */
  private V1Pod awaitReadyPodOutside(String selector, Set<String> known) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (V1Pod pod : new CoreV1Api(client).listNamespacedPod(namespace)
          .labelSelector(selector).execute().getItems()) {
        if (!known.contains(pod.getMetadata().getName()) && pod.getStatus() != null
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))) {
          return pod;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no new Ready pod of " + selector + " within " + WAIT);
  }

  /** What the pod's agent says it runs. */
  private String agentSha256(V1Pod pod) throws Exception {
    PodContainer container = new PodContainer(namespace, pod.getMetadata().getName(),
        pod.getMetadata().getUid(), "app", 0, pod.getSpec().getNodeName(),
        java.util.Optional.empty(), client, java.util.Optional.empty(),
        java.util.Optional.of(AgentLayout.stateDirectory("app")));
    PodExec.Result status = new PodExec(client).run(container, List.of(AgentLayout.PATH,
        "status", "--dir", AgentLayout.stateDirectory("app")), null, null, Duration.ofSeconds(20));
    return AgentProtocol.runningSha256(status.stdout()).orElseThrow(
        () -> new AssertionError("agent status said " + status.stdout() + status.stderr()));
  }

  /** What the namespace holds, by kind and name, with each ConfigMap's data. */
  private Map<String, String> snapshot() throws Exception {
    Map<String, String> objects = new TreeMap<>();
    new AppsV1Api(client).listNamespacedDeployment(namespace).execute().getItems()
        .forEach(d -> objects.put("Deployment " + d.getMetadata().getName(), ""));
    // kube-root-ca.crt is the cluster's: its controller publishes it into a new namespace some
    // time after the namespace exists, before or after the first snapshot.
    new CoreV1Api(client).listNamespacedConfigMap(namespace).execute().getItems().stream()
        .filter(c -> !"kube-root-ca.crt".equals(c.getMetadata().getName()))
        .forEach(c -> objects.put("ConfigMap " + c.getMetadata().getName(),
            String.valueOf(new TreeMap<>(c.getData() == null ? Map.of() : c.getData()))));
    new CoreV1Api(client).listNamespacedService(namespace).execute().getItems()
        .forEach(s -> objects.put("Service " + s.getMetadata().getName(), ""));
    return objects;
  }

  /** The local cluster's kubeconfig with a second context, which sets the namespace. */
  @SuppressWarnings("unchecked")
  private Path kubeconfigWithContext(String name, String contextNamespace) throws Exception {
    Map<String, Object> config = new Yaml().load(
        Files.readString(LocalCluster.kubeconfig(), StandardCharsets.UTF_8));
    List<Map<String, Object>> contexts = (List<Map<String, Object>>) config.get("contexts");
    Map<String, Object> current = (Map<String, Object>) contexts.get(0).get("context");
    Map<String, Object> context = new TreeMap<>(current);
    context.put("namespace", contextNamespace);
    List<Map<String, Object>> both = new ArrayList<>(contexts);
    both.add(Map.of("name", name, "context", context));
    config.put("contexts", both);
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, new Yaml().dump(config), StandardCharsets.UTF_8);
    return file;
  }

  private static void awaitAnswer(IntSupplier port, String expected) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      last = Http10.get(port.getAsInt());
      if (expected.equals(last)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + expected + "' within " + WAIT + "; last answer: " + last);
  }
}
