package dev.hotreload.k8s.testing;

import dev.hotreload.k8s.pod.PortForwarder;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.Closeable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What each running replica of a Deployment answers on {@code GET /}, asked through a
 * port-forward to that pod (a Service would answer from any one of them). The forwarders stay
 * open across calls and close with their pods.
 */
public final class ReplicaAnswers implements Closeable {
  private final ApiClient client;
  private final String namespace;
  private final String app;
  private final int port;
  private final Map<String, PortForwarder> forwarders = new HashMap<>();
  private Set<String> ready = Set.of();

  /**
   * Asks the pods labelled {@code app=NAME}.
   *
   * @param client the cluster
   * @param namespace their namespace
   * @param app the value of their {@code app} label
   * @param port the pod's port that serves {@code GET /}
   */
  public ReplicaAnswers(ApiClient client, String namespace, String app, int port) {
    this.client = client;
    this.namespace = namespace;
    this.app = app;
    this.port = port;
  }

  /**
   * Asks every running, not terminating pod once.
   *
   * @return pod name → its answer (null when it did not answer)
   * @throws Exception if the pods cannot be listed
   */
  public Map<String, String> ask() throws Exception {
    List<V1Pod> pods = new CoreV1Api(client).listNamespacedPod(namespace)
        .labelSelector("app=" + app).execute().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .toList();
    List<String> names = pods.stream().map(p -> p.getMetadata().getName()).toList();
    ready = pods.stream()
        .filter(p -> p.getStatus().getConditions() != null && p.getStatus().getConditions()
            .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
    forwarders.entrySet().removeIf(e -> {
      if (names.contains(e.getKey())) {
        return false;
      }
      e.getValue().close();
      return true;
    });
    Map<String, String> answers = new TreeMap<>();
    for (String pod : names) {
      PortForwarder forwarder = forwarders.get(pod);
      if (forwarder == null) {
        forwarder = PortForwarder.toPod(client, namespace, pod, port);
        forwarders.put(pod, forwarder);
      }
      answers.put(pod, Http10.get(forwarder.localPort()));
    }
    return answers;
  }

  /**
   * The pods that were Ready (would get a Service's traffic) when {@link #ask()} last listed
   * them.
   *
   * @return their names
   */
  public Set<String> ready() {
    return ready;
  }

  /**
   * Waits until exactly {@code replicas} pods run and every one answers {@code expected}.
   *
   * @param expected the body
   * @param replicas how many pods
   * @param wait how long
   * @return how long it took
   * @throws AssertionError naming each pod's last answer when time runs out
   * @throws Exception if interrupted
   */
  public Duration await(String expected, int replicas, Duration wait) throws Exception {
    long start = System.nanoTime();
    long deadline = start + wait.toNanos();
    Map<String, String> last = Map.of();
    String failure = "";
    while (System.nanoTime() < deadline) {
      try {
        last = ask();
        failure = "";
        if (last.size() == replicas && last.values().stream().allMatch(expected::equals)) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
      } catch (Exception e) {
        failure = "; listing pods failed: " + e; // the API server may be away for a while
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not every one of " + replicas + " replicas of " + app
        + " answers '" + expected + "' within " + wait + ": " + last + failure);
  }

  @Override
  public void close() {
    forwarders.values().forEach(PortForwarder::close);
    forwarders.clear();
  }
}
