// Hot-reloads examples/hello into the Deployment "hello" of the current kubectl context.
//   ./mvnw -q install -DskipTests && jshell --class-path examples/target/hotreload.jar examples/hotreload.jsh
// Every line of a statement but the last ends with a dot: JShell ends a statement at a line
// that is complete on its own.
import dev.hotreload.core.*;
import dev.hotreload.k8s.target.*;
import java.nio.file.Path;
import java.time.Duration;
var session = HotReload.forWorkspace(Path.of("examples/hello")).
    mainPackage("./cmd/server").
    target(KubernetesTarget.deployment("default", "hello")).
    listener(ConsoleProgress.toStdout()).
    start();
session.awaitReady(Duration.ofMinutes(2));
System.out.println("Edit examples/hello/cmd/server/main.go and save; /exit stops.");
