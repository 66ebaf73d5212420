package dev.hotreload.examples;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentBinaries;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentManifestTransformer;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.core.testing.WatchexecBinary;
import dev.hotreload.core.watchexec.WatchexecManifestTransformer;
import dev.hotreload.k8s.manifest.ImageMatcher;
import dev.hotreload.k8s.manifest.ManifestRewriter;
import dev.hotreload.k8s.testing.BusyboxGlibcBase;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hello example as the demos and the benchmarks drive it: its workspace, its greeting, its
 * images in each mode, its manifest rewritten for a mode, and a GET that sees a restart.
 */
public final class HelloApp {
  /** The Deployment, Service, container and {@code app} label name. */
  public static final String NAME = "hello";
  /** The main package inside the workspace. */
  public static final String MAIN_PACKAGE = "./cmd/server";
  /** The port the service listens on in the pod. */
  public static final int PORT = 8080;

  private static final Pattern GREETING = Pattern.compile("const greeting = \".*\"");
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)");

  /** How the pods run the binary. */
  public enum Mode {
    /** The agent supervises a {@code FROM scratch} image and takes binaries through exec. */
    AGENT,
    /** The seed design: watchexec from kodata restarts the binary tar writes into /ko-app. */
    WATCHEXEC,
    /** No dev mode: a plain ko-style image, as a rollout-based loop deploys it. */
    PLAIN
  }

  private HelloApp() {}

  /**
   * The example in this repository.
   *
   * @return its directory
   */
  public static Path source() {
    return LocalCluster.repositoryRoot().resolve("examples/hello");
  }

  /**
   * Copies the example so edits never touch the repository.
   *
   * @return the copy
   * @throws IOException if copying fails
   */
  public static Path copy() throws IOException {
    return EditLoop.copy(source());
  }

  /**
   * The file holding {@code const greeting}.
   *
   * @param workspace the workspace
   * @return the file
   */
  public static Path mainFile(Path workspace) {
    return workspace.resolve("cmd/server/main.go");
  }

  /**
   * Saves a new greeting, as a developer's editor would.
   *
   * @param workspace the workspace
   * @param text the new greeting, without quotes or backslashes
   * @throws IOException if the file cannot be written
   */
  public static void setGreeting(Path workspace, String text) throws IOException {
    Path main = mainFile(workspace);
    String source = Files.readString(main);
    Matcher m = GREETING.matcher(source);
    if (!m.find()) {
      throw new IllegalStateException(main + " has no `const greeting = \"...\"` to edit");
    }
    save(main, m.replaceFirst(Matcher.quoteReplacement("const greeting = \"" + text + "\"")));
  }

  /**
   * Writes a source file aside and renames it over, as many editors save: a {@code go list} or
   * build running at that moment reads the old file or the new one, never a truncated one.
   *
   * @param file the file
   * @param content its new content
   * @throws IOException if it cannot be written
   */
  static void save(Path file, String content) throws IOException {
    Path next = file.resolveSibling("." + file.getFileName() + ".next");
    Files.writeString(next, content);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The platform of the cluster's first node.
   *
   * @param client the API client
   * @return for example linux/amd64
   * @throws Exception if the API server does not answer
   */
  public static Platform nodePlatform(ApiClient client) throws Exception {
    V1NodeSystemInfo info = new CoreV1Api(client).listNode().execute().getItems().get(0)
        .getStatus().getNodeInfo();
    return Platform.of(info.getOperatingSystem(), info.getArchitecture());
  }

  /**
   * Builds the image a mode deploys.
   *
   * @param workspace the workspace (its kodata goes in)
   * @param binary the built app
   * @param mode the mode
   * @param reference where to push it
   * @return the pushed image
   * @throws Exception if building or pushing fails
   */
  public static BuiltImage buildImage(Path workspace, Artifact binary, Mode mode, String reference)
      throws Exception {
    ImageBuilder images = ImageBuilder.forWorkspace(workspace).binary(binary);
    switch (mode) {
      case AGENT -> images.supervisor(
          AgentBinaries.createDefault().agentFor(binary.platform()),
          AgentLayout.PATH);
      case WATCHEXEC -> {
        // The seed design needs tar in the image and watchexec in kodata.
        Files.copy(WatchexecBinary.require(), workspace.resolve("kodata/watchexec"),
            StandardCopyOption.REPLACE_EXISTING);
        images.base(BusyboxGlibcBase.build(Files.createTempFile("hotreload-base-", ".tar")));
      }
      case PLAIN -> { }
    }
    return images.toRegistry(reference).build();
  }

  /**
   * The example's manifest file for a number of replicas: {@code k8s/hello.yaml} itself for
   * one, else a copy beside it with the count changed.
   *
   * @param workspace the example (or a copy)
   * @param replicas how many pods
   * @return the file to deploy
   * @throws IOException if the copy cannot be written
   */
  public static Path manifestFile(Path workspace, int replicas) throws IOException {
    Path manifest = workspace.resolve("k8s/hello.yaml");
    if (replicas == 1) {
      return manifest;
    }
    Path copy = Files.createTempFile("hello-" + replicas + "-replicas-", ".yaml");
    Files.writeString(copy, Files.readString(manifest)
        .replace("replicas: 1", "replicas: " + replicas));
    return copy;
  }

  /**
   * The example's manifest ({@code k8s/hello.yaml}) with the built image and the mode's
   * supervisor in place.
   *
   * @param replicas how many pods
   * @param mode the mode
   * @param image the built image
   * @param importPath the app's import path, which the manifest names as {@code ko://}
   * @return YAML to apply
   * @throws IOException if the manifest cannot be read
   */
  public static String manifest(int replicas, Mode mode, BuiltImage image, String importPath)
      throws IOException {
    String manifest = Files.readString(source().resolve("k8s/hello.yaml"))
        .replace("replicas: 1", "replicas: " + replicas);
    if (mode == Mode.WATCHEXEC) {
      // The seed design writes the binary into /ko-app: it cannot run read-only or as non-root.
      manifest = manifest.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
          .replace("runAsNonRoot: true", "runAsNonRoot: false")
          .replace("runAsUser: 65532", "runAsUser: 0");
    }
    ManifestTransformer transformer = switch (mode) {
      case AGENT -> AgentManifestTransformer.DEFAULT;
      case WATCHEXEC -> WatchexecManifestTransformer.create();
      case PLAIN -> HelloApp::imageOnly;
    };
    return ManifestRewriter.of(ImageMatcher.parse("ko://" + importPath),
            new ManifestTransformer.Context(image.reference(), image.entrypoint()), transformer)
        .rewrite(manifest).yaml();
  }

  /** What {@code ko resolve} does: the image reference and nothing else. */
  private static ContainerSpec imageOnly(ContainerSpec c, ManifestTransformer.Context context) {
    return new ContainerSpec(c.name(), context.image(), c.command(), c.args(), c.env(),
        c.workingDir(), c.emptyDirMounts());
  }

  /**
   * The newest running pod of the example that is not being deleted: during a rollout that is
   * the new one.
   *
   * @param client the API client
   * @param namespace its namespace
   * @return the pod's name
   * @throws IllegalStateException if there is none
   */
  public static String newestRunningPod(ApiClient client, String namespace) {
    try {
      return new CoreV1Api(client).listNamespacedPod(namespace).labelSelector("app=" + NAME)
          .execute().getItems().stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
          .filter(p -> "Running".equals(p.getStatus().getPhase()))
          .max(Comparator.comparing((V1Pod p) -> p.getMetadata().getCreationTimestamp(),
                  Comparator.nullsFirst(Comparator.<OffsetDateTime>naturalOrder()))
              .thenComparing(p -> p.getMetadata().getName()))
          .map(p -> p.getMetadata().getName())
          .orElseThrow(() -> new IllegalStateException("no running pod of " + NAME
              + " in namespace " + namespace));
    } catch (io.kubernetes.client.openapi.ApiException e) {
      throw new IllegalStateException("listing pods of " + NAME + " failed: HTTP " + e.getCode(),
          e);
    }
  }

  /**
   * One GET / on a fresh connection with a short timeout. A kept-alive connection would hide the
   * restart: over a websocket port-forward a connection the old process closed is not signalled
   * back, so a reused one hangs until its timeout instead of reaching the new process.
   *
   * @param port where the service answers on this machine
   * @return the body of a 200 answer, or null when there is none yet
   */
  public static String get(int port) {
    return get(port, 500);
  }

  /**
   * {@link #get(int)} with another limit for connecting and for each read.
   *
   * @param port where the service answers on this machine
   * @param timeoutMillis the limit
   * @return the body of a 200 answer, or null when there is none within the limit
   */
  public static String get(int port, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
          timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.getOutputStream().write(
          "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // Read by Content-Length: the end of the stream never comes through a websocket forward.
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return null;
        }
        head.write(b);
      }
      String headers = head.toString(StandardCharsets.US_ASCII);
      Matcher length = CONTENT_LENGTH.matcher(headers);
      if (!headers.startsWith("HTTP/1.") || !headers.contains(" 200 ") || !length.find()) {
        return null;
      }
      return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
