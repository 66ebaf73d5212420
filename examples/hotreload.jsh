// Deploys examples/hello in dev mode to your kubeconfig's cluster and reloads it on every save:
//   ./mvnw -q install -DskipTests && jshell --class-path examples/target/hotreload.jar examples/hotreload.jsh
import dev.hotreload.core.*;
import dev.hotreload.k8s.dev.*;
import java.nio.file.Path;
var dev = KubernetesDev.forWorkspace(Path.of("examples/hello")).manifests(Path.of("examples/hello/k8s")).
    portForward("deployment/hello", 8080).listener(ConsoleProgress.toStdout()).start();
dev.awaitReady(java.time.Duration.ofMinutes(2));
System.out.println("examples/hello answers on http://127.0.0.1:8080/ - edit its cmd/server/main.go and save; dev.close() restores the cluster, /exit quits");
