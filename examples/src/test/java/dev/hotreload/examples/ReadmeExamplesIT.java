package dev.hotreload.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.Readiness;
import dev.hotreload.core.agent.AgentBinaries;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentManifestTransformer;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.core.local.LocalProcessTarget;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import dev.hotreload.k8s.manifest.ImageMatcher;
import dev.hotreload.k8s.manifest.ManifestRewriter;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.testing.LocalCluster;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.ManifestTransformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs README.md's code examples as they are written there ({@link ReadmeCodeTest} checks that
 * each block below is the README's, character for character). Each runs until its session is
 * closed, so it runs on its own thread; the test saves an edit, checks that the service answers
 * it, and interrupts the thread, which ends {@code awaitClose()} and closes the session.
 */
@ExtendWith(LocalCluster.class)
class ReadmeExamplesIT {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @Test
  void oneCallExample_deploysReloadsAndRestores(ApiClient client) throws Exception {
    writeKubeconfigWithDevContext();
    Path workspace = HelloApp.copy();
    Example example = Example.start(() -> {
      try {
        // ---- README: one call
        try (DevSession dev = KubernetesDev.forWorkspace(workspace)
            .manifests(workspace.resolve("k8s"))            // files or directories
            .context("dev")                                 // else the kubeconfig's current context
            .registry("localhost:5000")                     // where the dev images go
            .portForward("deployment/hello", 8080)          // kept across pod replacements
            .listener(ConsoleProgress.toStdout())
            .start()) {
          dev.awaitClose();                                 // each save reloads what it touches
        }
        // ---- README: end
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      awaitAnswer(() -> 8080, "Hello from hotreload v1", example);
      HelloApp.setGreeting(workspace, "hello from the README's one call");
      awaitAnswer(() -> 8080, "hello from the README's one call", example);
    } finally {
      example.stop();
    }
    assertThat(new AppsV1Api(client).listNamespacedDeployment("default").execute().getItems())
        .as("close() removed the Deployment that start() applied")
        .noneMatch(d -> d.getMetadata().getName().equals("hello"));
  }

  /** The file failsafe's KUBECONFIG names: the local cluster's, with a "dev" context beside. */
  private static void writeKubeconfigWithDevContext() throws Exception {
    String env = System.getenv("KUBECONFIG");
    if (env == null) {
      throw new IllegalStateException("KUBECONFIG is not set: run this test through Maven "
          + "(examples/pom.xml sets it for failsafe)");
    }
    Path target = Path.of(env);
    String admin = Files.readString(LocalCluster.kubeconfig());
    if (!admin.contains("contexts:\n")) {
      throw new IllegalStateException("The local cluster's kubeconfig has no contexts list");
    }
    Files.writeString(target, admin.replace("contexts:\n", "contexts:\n- name: dev\n"
        + "  context:\n    cluster: hotreload\n    user: hotreload-admin\n"
        + "    namespace: default\n"));
  }

  @Test
  void kubernetesExamples_deployThenReloadEveryReplica_andRestoreTheCluster(ApiClient client)
      throws Exception {
    Path workspace = HelloApp.copy();
    Example example = Example.start(() -> {
      try {
        // ---- README: Kubernetes, deploy
        Platform platform = Platform.parse("linux/amd64");                  // your nodes' platform
        Artifact binary = GoBuilder.create()
            .build(new BuildRequest(workspace, "./cmd/server", platform));
        BuiltImage image = ImageBuilder.forWorkspace(workspace)
            .binary(binary)
            .supervisor(AgentBinaries.createDefault().agentFor(platform), AgentLayout.PATH)
            .toRegistry("localhost:5000/hello:dev")
            .build();
        String manifests = ManifestRewriter.of(ImageMatcher.parse("ko://" + binary.importPath()),
                new ManifestTransformer.Context(image.reference(), image.entrypoint()),
                AgentManifestTransformer.DEFAULT)
            .rewrite(Files.readString(workspace.resolve("k8s/hello.yaml"))).yaml();
        Deployer deployer = new Deployer(client, "default");
        deployer.apply(manifests);                                          // server-side apply
        deployer.awaitRollout("default", "hello", Duration.ofMinutes(2));
        // ---- README: Kubernetes, reload
        try (Session session = HotReload.forWorkspace(workspace)
            .mainPackage("./cmd/server")
            .platform(platform)
            .target(KubernetesTarget.deployment("default", "hello").apiClient(client))
            .listener(ConsoleProgress.toStdout())
            .start()) {
          session.awaitReady(Duration.ofMinutes(2));
          session.awaitClose();               // each save rebuilds and reloads every replica
        } finally {
          deployer.restore();                 // the cluster as it was before apply
        }
        // ---- README: end
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    try (PortForwarder forward = PortForwarder.toPods(client, "default",
        () -> HelloApp.newestRunningPod(client, "default"), HelloApp.PORT)) {
      awaitAnswer(forward::localPort, "Hello from hotreload v1", example);
      HelloApp.setGreeting(workspace, "hello from the README");
      awaitAnswer(forward::localPort, "hello from the README", example);
    } finally {
      example.stop();
    }
    assertThat(new AppsV1Api(client).listNamespacedDeployment("default").execute().getItems())
        .as("restore() removed the Deployment that apply created")
        .noneMatch(d -> d.getMetadata().getName().equals("hello"));
  }

  @Test
  void localProcessExample_servesTheEditedText() throws Exception {
    Path workspace = HelloApp.copy();
    Example example = Example.start(() -> {
      try {
        // ---- README: local process
        try (Session session = HotReload.forWorkspace(workspace)
            .mainPackage("./cmd/server")
            .target(LocalProcessTarget.create().env("PORT", "8080"))
            .readiness(Readiness.httpGet(8080, "/healthz"))
            .listener(ConsoleProgress.toStdout())
            .start()) {
          session.awaitClose();
        }
        // ---- README: end
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      awaitAnswer(() -> 8080, "Hello from hotreload v1", example);
      HelloApp.setGreeting(workspace, "hello from the README, locally");
      awaitAnswer(() -> 8080, "hello from the README, locally", example);
    } finally {
      example.stop();
    }
  }

  /** A README example on its own thread; it runs until interrupted. */
  private static final class Example {
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Example(Thread thread) {
      this.thread = thread;
    }

    static Example start(Body body) {
      Example[] self = new Example[1];
      Thread thread = new Thread(() -> {
        try {
          body.run();
        } catch (Throwable t) {
          self[0].failure.set(t);
        }
      }, "readme-example");
      self[0] = new Example(thread);
      thread.start();
      return self[0];
    }

    /** Fails with the example's own exception if it ended early. */
    void assertRunning(String waitingFor) {
      if (!thread.isAlive()) {
        throw new AssertionError("the README example ended before " + waitingFor,
            failure.get());
      }
    }

    /** Interrupts it (ending awaitClose) and waits for its try-with-resources to close. */
    void stop() throws InterruptedException {
      thread.interrupt();
      thread.join(TimeUnit.MINUTES.toMillis(1));
      assertThat(thread.isAlive()).as("the example still runs 1 min after the interrupt")
          .isFalse();
      if (failure.get() != null) {
        throw new AssertionError("the README example failed", failure.get());
      }
    }
  }

  /** The README's code, which may throw what its calls throw. */
  @FunctionalInterface
  private interface Body {
    void run() throws Exception;
  }

  private static void awaitAnswer(java.util.function.IntSupplier port, String expected,
      Example example) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      example.assertRunning("answering '" + expected + "'");
      try {
        last = HelloApp.get(port.getAsInt());
      } catch (RuntimeException e) {
        last = e.toString();
      }
      if (expected.equals(last)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + expected + "' within " + WAIT + "; last answer: " + last);
  }
}
