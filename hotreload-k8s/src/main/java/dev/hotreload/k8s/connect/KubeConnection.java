package dev.hotreload.k8s.connect;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a cluster, resolved the way kubectl does it: the kubeconfig named by {@code
 * KUBECONFIG} (its first file), else {@code ~/.kube/config}, else the pod's in-cluster service
 * account; a named context instead of the current one; the context's namespace unless one is
 * given. A kubeconfig can also come as text (what Testcontainers' {@code K3sContainer} hands
 * out) or the embedder can pass its own {@link ApiClient}.
 *
 * <pre>{@code
 * KubeConnection dev = KubeConnection.standard().context("dev");
 * ApiClient client = dev.client();
 * String namespace = dev.namespace();   // the "dev" context's, else "default"
 * }</pre>
 *
 * <p>Immutable: {@link #context} and {@link #namespace} return changed copies. Thread-safe.
 */
public final class KubeConnection {
  private static final Path IN_CLUSTER_NAMESPACE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  private final Source source;
  private final String kubeconfigText;
  private final Path kubeconfigFile;
  private final ApiClient client;
  private final Optional<String> context;
  private final Optional<String> namespace;

  private enum Source { STANDARD, FILE, TEXT, CLIENT }

  private KubeConnection(Source source, String kubeconfigText, Path kubeconfigFile,
      ApiClient client, Optional<String> context, Optional<String> namespace) {
    this.source = source;
    this.kubeconfigText = kubeconfigText;
    this.kubeconfigFile = kubeconfigFile;
    this.client = client;
    this.context = context;
    this.namespace = namespace;
  }

  /**
   * As kubectl finds its configuration: {@code KUBECONFIG}, {@code ~/.kube/config}, then the
   * in-cluster service account.
   *
   * @return the connection
   */
  public static KubeConnection standard() {
    return new KubeConnection(Source.STANDARD, null, null, null, Optional.empty(),
        Optional.empty());
  }

  /**
   * From one kubeconfig file; relative paths inside it resolve against its directory.
   *
   * @param file the kubeconfig
   * @return the connection
   */
  public static KubeConnection kubeconfig(Path file) {
    return new KubeConnection(Source.FILE, null, Objects.requireNonNull(file, "file"), null,
        Optional.empty(), Optional.empty());
  }

  /**
   * From a kubeconfig's text, such as {@code K3sContainer.getKubeConfigYaml()}.
   *
   * @param yaml the kubeconfig
   * @return the connection
   */
  public static KubeConnection kubeconfigYaml(String yaml) {
    return new KubeConnection(Source.TEXT, Objects.requireNonNull(yaml, "yaml"), null, null,
        Optional.empty(), Optional.empty());
  }

  /**
   * Through a client the embedder configured.
   *
   * @param client the client
   * @param namespace the namespace to work in
   * @return the connection
   */
  public static KubeConnection of(ApiClient client, String namespace) {
    return new KubeConnection(Source.CLIENT, null, null, Objects.requireNonNull(client, "client"),
        Optional.empty(), Optional.of(requireName(namespace, "namespace")));
  }

  /**
   * The same connection through another context of the kubeconfig.
   *
   * @param name the context's name
   * @return a changed copy
   * @throws IllegalStateException for a connection made from an {@link ApiClient}
   */
  public KubeConnection context(String name) {
    if (source == Source.CLIENT) {
      throw new IllegalStateException("A connection made from an ApiClient has no kubeconfig "
          + "contexts: pick the context when you build the client");
    }
    return new KubeConnection(source, kubeconfigText, kubeconfigFile, client,
        Optional.of(requireName(name, "context")), namespace);
  }

  /**
   * The same connection in another namespace than the context's.
   *
   * @param name the namespace
   * @return a changed copy
   */
  public KubeConnection namespace(String name) {
    return new KubeConnection(source, kubeconfigText, kubeconfigFile, client, context,
        Optional.of(requireName(name, "namespace")));
  }

  /**
   * A client for the cluster.
   *
   * @return a new client (or the embedder's)
   * @throws IOException if no configuration is found, the context does not exist (the message
   *     lists the ones that do), or the kubeconfig cannot be read
   */
  public ApiClient client() throws IOException {
    if (source == Source.CLIENT) {
      return client;
    }
    Optional<KubeConfig> config = kubeConfig();
    if (config.isEmpty()) {
      return ClientBuilder.cluster().build();
    }
    return ClientBuilder.kubeconfig(config.get()).build();
  }

  /**
   * Lets go of a client that {@link #client()} made: its HTTP threads would otherwise keep the
   * JVM up for a minute after the last call (OkHttp's dispatcher threads are not daemons). An
   * embedder's own client (from {@link #of}) is left alone.
   *
   * @param made a client this connection returned
   */
  public void release(ApiClient made) {
    if (source == Source.CLIENT || made == null) {
      return;
    }
    made.getHttpClient().dispatcher().executorService().shutdown();
    made.getHttpClient().connectionPool().evictAll();
  }

  /**
   * The namespace to work in: the one set, else the context's, else the in-cluster service
   * account's, else {@code default}.
   *
   * @return the namespace
   * @throws IOException if the kubeconfig cannot be read
   */
  public String namespace() throws IOException {
    if (namespace.isPresent()) {
      return namespace.get();
    }
    Optional<KubeConfig> config = kubeConfig();
    if (config.isPresent()) {
      return Optional.ofNullable(config.get().getNamespace()).orElse("default");
    }
    if (Files.isReadable(IN_CLUSTER_NAMESPACE)) {
      return Files.readString(IN_CLUSTER_NAMESPACE, StandardCharsets.UTF_8).strip();
    }
    return "default";
  }

  /** The kubeconfig to use, with the context selected; empty means in-cluster. */
  private Optional<KubeConfig> kubeConfig() throws IOException {
    KubeConfig config;
    Path file = kubeconfigFile;
    if (source == Source.TEXT) {
      config = load(new StringReader(kubeconfigText), "the kubeconfig text");
    } else {
      if (source == Source.STANDARD) {
        file = standardFile().orElse(null);
        if (file == null) {
          if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            return Optional.empty();
          }
          throw new IOException("No kubeconfig: KUBECONFIG is not set, ~/.kube/config does not "
              + "exist and this is not a pod (no KUBERNETES_SERVICE_HOST). Set KUBECONFIG, or "
              + "use KubeConnection.kubeconfig(path)");
        }
      }
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        config = load(reader, file.toString());
      }
      config.setFile(file.toAbsolutePath().toFile());
    }
    if (context.isPresent() && !config.setContext(context.get())) {
      throw new IOException("Context '" + context.get() + "' is not in "
          + (file != null ? file : "the kubeconfig text") + "; it has " + contextNames(config));
    }
    return Optional.of(config);
  }

  private static KubeConfig load(Reader reader, String what) throws IOException {
    try {
      return KubeConfig.loadKubeConfig(reader);
    } catch (RuntimeException e) {
      throw new IOException("Cannot read " + what + " as a kubeconfig: " + e.getMessage(), e);
    }
  }

  /** KUBECONFIG's first existing file, else ~/.kube/config if it exists. */
  private static Optional<Path> standardFile() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      for (String part : env.split(java.io.File.pathSeparator)) {
        if (!part.isBlank() && Files.isRegularFile(Path.of(part))) {
          return Optional.of(Path.of(part));
        }
      }
    }
    Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
    return Files.isRegularFile(home) ? Optional.of(home) : Optional.empty();
  }

  private static List<String> contextNames(KubeConfig config) {
    List<String> names = new ArrayList<>();
    for (Object entry : Optional.ofNullable(config.getContexts()).orElse(new ArrayList<>())) {
      if (entry instanceof Map<?, ?> map && map.get("name") != null) {
        names.add(String.valueOf(map.get("name")));
      }
    }
    return names;
  }

  private static String requireName(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " '" + value + "' is empty");
    }
    return value.strip();
  }

  @Override
  public String toString() {
    String from = switch (source) {
      case STANDARD -> "kubeconfig (KUBECONFIG or ~/.kube/config)";
      case FILE -> "kubeconfig " + kubeconfigFile;
      case TEXT -> "kubeconfig text";
      case CLIENT -> "the embedder's ApiClient";
    };
    return "KubeConnection[" + from + context.map(c -> ", context " + c).orElse("")
        + namespace.map(n -> ", namespace " + n).orElse("") + "]";
  }
}
