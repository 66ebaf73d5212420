package dev.hotreload.k8s.testing;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests an {@link ApiClient} for the repository's own single-node cluster
 * ({@code scripts/cluster}): a real API server, kubelet and containerd on this machine. When the
 * cluster is not up, this starts it through the script (the first time builds Kubernetes, which
 * takes a while). If it cannot start, the test fails with the script's output: it never skips.
 *
 * <pre>{@code
 * @ExtendWith(LocalCluster.class)
 * class SomeIT {
 *   @Test void works(ApiClient client) { ... }
 * }
 * }</pre>
 */
public final class LocalCluster implements BeforeAllCallback, ParameterResolver {
  /** The plain-http registry the cluster pulls from. */
  public static final String REGISTRY = "localhost:5000";

  private static ApiClient client;

  /**
   * The cluster's client, starting the cluster if needed.
   *
   * @return a client with the admin kubeconfig
   * @throws Exception if the cluster cannot be started
   */
  public static synchronized ApiClient client() throws Exception {
    if (client == null) {
      client = connect();
    }
    return client;
  }

  /**
   * A client of its own, for a caller that changes it (its base path, its timeouts) without
   * touching the shared one.
   *
   * @return a new client of the local cluster
   * @throws Exception if the cluster cannot be brought up
   */
  public static ApiClient newClient() throws Exception {
    client();
    return load(kubeconfig(repositoryRoot().resolve("scripts/cluster")));
  }

  /**
   * The admin kubeconfig of the local cluster, starting the cluster if needed.
   *
   * @return its path
   * @throws Exception if the cluster cannot be brought up
   */
  public static Path kubeconfig() throws Exception {
    client();
    return kubeconfig(repositoryRoot().resolve("scripts/cluster"));
  }

  private static ApiClient connect() throws Exception {
    Path script = repositoryRoot().resolve("scripts/cluster");
    Path kubeconfig = kubeconfig(script);
    if (!reachable(kubeconfig)) {
      run(script, "up", 60);
      kubeconfig = kubeconfig(script);
      if (!reachable(kubeconfig)) {
        throw new IllegalStateException("scripts/cluster up finished but the API server at "
            + kubeconfig + " does not answer; see its logs under /var/lib/hotreload-cluster/logs");
      }
    }
    return load(kubeconfig);
  }

  private static ApiClient load(Path kubeconfig) throws IOException {
    try (Reader reader = Files.newBufferedReader(kubeconfig)) {
      return ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(reader)).build();
    }
  }

  private static boolean reachable(Path kubeconfig) {
    if (!Files.isRegularFile(kubeconfig)) {
      return false;
    }
    try {
      new VersionApi(load(kubeconfig)).getCode().execute();
      return true;
    } catch (IOException | ApiException | RuntimeException e) {
      return false;
    }
  }

  private static Path kubeconfig(Path script) throws Exception {
    String env = run(script, "env", 1);
    for (String line : env.split("\n")) {
      String assignment = line.strip().replaceFirst("^export\\s+", "");
      if (assignment.startsWith("KUBECONFIG=")) {
        return Path.of(assignment.substring("KUBECONFIG=".length()).replace("\"", "").strip());
      }
    }
    throw new IllegalStateException("scripts/cluster env printed no KUBECONFIG=…: " + env);
  }

  /**
   * Where {@code scripts/cluster} keeps its state (the kubelet's root directory among it).
   *
   * @return {@code HOTRELOAD_CLUSTER_DIR}, or the script's default
   */
  public static Path stateDirectory() {
    String dir = System.getenv("HOTRELOAD_CLUSTER_DIR");
    return Path.of(dir == null || dir.isBlank() ? "/var/lib/hotreload-cluster" : dir);
  }

  /**
   * Runs {@code scripts/cluster} with arguments, for example {@code apiserver stop}, printing
   * what it prints.
   *
   * @param minutes how long it may take
   * @param arguments the command and its arguments
   * @return what it printed
   * @throws Exception if it fails or takes longer
   */
  public static String script(int minutes, String... arguments) throws Exception {
    return run(repositoryRoot().resolve("scripts/cluster"), String.join(" ", arguments), minutes);
  }

  /** Runs the script, streaming what it prints (its first start compiles for minutes). */
  private static String run(Path script, String command, int minutes) throws Exception {
    List<String> commandLine = new java.util.ArrayList<>(List.of("bash", script.toString()));
    commandLine.addAll(List.of(command.split(" ")));
    Process process = new ProcessBuilder(commandLine).redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          if (!command.equals("env")) {
            System.out.println(line);
          }
          synchronized (output) {
            output.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        // the script ended
      }
    }, "scripts-cluster-" + command.replace(' ', '-'));
    reader.setDaemon(true);
    reader.start();
    if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("scripts/cluster " + command + " did not finish within "
          + minutes + " min");
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    String text;
    synchronized (output) {
      text = output.toString();
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("scripts/cluster " + command + " failed (exit "
          + process.exitValue() + "). The integration tests need the local cluster "
          + "(containerd, kubelet, API server on this machine, as root). Output:\n"
          + tail(text, 4000));
    }
    return text;
  }

  private static String tail(String text, int max) {
    return text.length() <= max ? text : "…" + text.substring(text.length() - max);
  }

  /**
   * The repository root: the nearest directory above the working directory holding {@code
   * scripts/cluster}.
   *
   * @return the root
   */
  public static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("scripts/cluster"))) {
        return d;
      }
    }
    throw new IllegalStateException("No scripts/cluster above " + dir
        + ": run the integration tests from the hotreload repository");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    client();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ApiClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return client();
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
