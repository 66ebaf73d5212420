package dev.hotreload.examples;

import dev.hotreload.Session;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import dev.hotreload.k8s.exec.ExecTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * The main job: the hello-world service hot-reloaded inside pods of the cluster your kubeconfig
 * names ({@code scripts/demo} starts the repository's own and points {@code KUBECONFIG} at it).
 * One call deploys {@code examples/hello/k8s} in dev mode and reloads on every save.
 *
 * <pre>
 * KubernetesDemo [--edits N] [--replicas R] [--mode agent|watchexec] [--encoding auto|gzip|identity]
 *                [--json FILE]
 *                [--namespace NS] [--keep]
 * </pre>
 *
 * With {@code --edits N} it edits a copy of the example N times itself and prints edit→new-answer
 * figures with the phase split; without it, it waits for your edits until Ctrl-C. The cluster is
 * put back as it was at the end unless {@code --keep}.
 */
public final class KubernetesDemo {
  private KubernetesDemo() {}

  /**
   * Runs the demo.
   *
   * @param args see the class comment
   * @throws Exception if a step fails
   */
  public static void main(String[] args) throws Exception {
    int edits = 0;
    int replicas = 1;
    String mode = "agent";
    String namespace = null;
    boolean keep = false;
    String encoding = "auto";
    Path json = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--edits" -> edits = Integer.parseInt(args[++i]);
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--mode" -> mode = args[++i];
        case "--namespace" -> namespace = args[++i];
        case "--keep" -> keep = true;
        case "--encoding" -> encoding = args[++i];
        case "--json" -> json = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument '" + args[i]
            + "'; use --edits N, --replicas R, --mode agent|watchexec, --namespace NS, --keep, "
            + "--json FILE");
      }
    }
    Path workspace = edits > 0 ? HelloApp.copy() : HelloApp.source();
    KubeConnection cluster = namespace == null ? KubeConnection.standard()
        : KubeConnection.standard().namespace(namespace);
    if (mode.equals("watchexec")) {
      WatchexecDemo.run(cluster, workspace, replicas, edits, keep);
      return;
    }
    if (!mode.equals("agent")) {
      throw new IllegalArgumentException("--mode '" + mode + "' must be agent or watchexec");
    }
    ExecTransport transport = encoding.equals("identity") ? ExecTransport.identity()
        : encoding.equals("gzip") ? ExecTransport.gzip() : new ExecTransport();
    EditLoop loop = new EditLoop();
    try (DevSession dev = KubernetesDev.forWorkspace(workspace)
        .manifests(HelloApp.manifestFile(workspace, replicas))
        .connection(cluster)
        .portForward("deployment/" + HelloApp.NAME, 0, HelloApp.PORT)
        .keepDeployment(keep)
        .sessions(session -> session.transport(transport))
        .listener(ReloadListener.compose(ConsoleProgress.toStdout().relativeTo(workspace),
                loop.listener()))
        .start()) {
      boolean edited = edit(loop, dev, workspace,
          () -> dev.localPort("deployment/" + HelloApp.NAME), edits,
          "kubernetes, agent mode, " + replicas + " replica(s)");
      if (edited && json != null) {
        loop.writeJson(json, "kubernetes, agent mode, " + replicas + " replica(s)", dev);
        System.out.println("figures written to " + json);
      }
    }
  }

  /**
   * Waits for the first binary, then either waits for the user's saves or edits itself.
   *
   * @param loop the edit loop, whose listener the session has
   * @return whether the loop edited (false: the user did)
   */
  static boolean edit(EditLoop loop, Session session, Path workspace, IntSupplier port,
      int edits, String what) throws Exception {
    session.awaitReady(Duration.ofMinutes(2));
    if (edits == 0) {
      Runtime.getRuntime().addShutdownHook(new Thread(session::close));
      System.out.println("Edit " + HelloApp.mainFile(workspace) + " and save; the service "
          + "answers on http://127.0.0.1:" + port.getAsInt() + "/ ; Ctrl-C stops.");
      session.awaitClose();
      return false;
    }
    loop.run(session, HelloApp.mainFile(workspace), port, edits);
    loop.print(what);
    return true;
  }
}
