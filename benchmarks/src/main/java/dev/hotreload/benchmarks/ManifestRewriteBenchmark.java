package dev.hotreload.benchmarks;

import dev.hotreload.core.agent.AgentManifestTransformer;
import dev.hotreload.k8s.manifest.ImageMatcher;
import dev.hotreload.k8s.manifest.ManifestRewriter;
import dev.hotreload.spi.ManifestTransformer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Rewriting a 200-document manifest file for dev mode (Deployments, StatefulSets, CronJobs,
 * Services, ConfigMaps and a custom resource, with comments; a quarter of the workloads run the
 * built image), against the baseline every rewriter pays at least: SnakeYAML loading and dumping
 * the same file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ManifestRewriteBenchmark {
  static final int DOCUMENTS = 200;
  private String yaml;
  private ManifestRewriter rewriter;

  @Setup
  public void generate() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < DOCUMENTS; i++) {
      String image = i % 20 < 5 ? "ko://example.com/hello/cmd/server" : "nginx:1.27";
      out.append("---\n# document ").append(i).append('\n');
      switch (i % 5) {
        case 0 -> out.append(workload("Deployment", "apps/v1", "web-" + i, image));
        case 1 -> out.append(workload("StatefulSet", "apps/v1", "db-" + i, image));
        case 2 -> out.append("""
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: job-%d
            spec:
              schedule: "*/5 * * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers:
                      - name: main
                        image: %s
                        args: ["--once"]  # keep
            """.formatted(i, image));
        case 3 -> out.append("""
            apiVersion: v1
            kind: Service
            metadata:
              name: svc-%d
            spec:
              selector: {app: web-%d}
              ports:
              - port: 80
                targetPort: 8080
            """.formatted(i, i));
        default -> out.append("""
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: widget-%d
            spec:
              image: %s   # a custom resource is left alone
              replicas: 3
            """.formatted(i, image));
      }
    }
    yaml = out.toString();
    rewriter = ManifestRewriter.of(ImageMatcher.parse("ko://example.com/hello/cmd/server"),
        new ManifestTransformer.Context("localhost:5000/hello@sha256:" + "a".repeat(64),
            List.of("/ko-app/server")), AgentManifestTransformer.DEFAULT);
  }

  private static String workload(String kind, String apiVersion, String name, String image) {
    return """
        apiVersion: %s
        kind: %s
        metadata:
          name: %s
          labels: {app: %s}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: %s}
          template:
            metadata:
              labels: {app: %s}
            spec:
              initContainers:
              - name: init
                image: busybox:1.36
                command: ["sh", "-c", "true"]
              containers:
              - name: app  # the app
                image: %s
                ports:
                - containerPort: 8080
                env:
                - {name: MODE, value: dev}
              - name: sidecar
                image: envoyproxy/envoy:v1.31
        """.formatted(apiVersion, kind, name, name, name, name, image);
  }

  @Benchmark
  public String rewrite() {
    return rewriter.rewrite(yaml).yaml();
  }

  @Benchmark
  public String baselineSnakeYamlLoadAndDump() {
    Yaml snake = new Yaml(new LoaderOptions());
    return snake.dumpAll(snake.loadAll(yaml).iterator());
  }
}
