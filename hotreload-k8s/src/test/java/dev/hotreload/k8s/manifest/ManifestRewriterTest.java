package dev.hotreload.k8s.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.core.agent.AgentManifestTransformer;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer.Context;
import dev.hotreload.spi.ManifestTransformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

class ManifestRewriterTest {
  private static final String BUILT = "localhost:5000/hello@sha256:" + "ab".repeat(32);
  private static final Context CONTEXT = new Context(BUILT, List.of("/ko-app/hello"));
  private static final String KO = "ko://example.com/hello/cmd/hello";
  private static final ManifestRewriter REWRITER =
      ManifestRewriter.of(ImageMatcher.parse(KO), CONTEXT, AgentManifestTransformer.DEFAULT);
  private static final List<String> AGENT =
      List.of("/ko-app/hotreload-agent", "run", "--dir", "/var/run/hotreload/app", "--");
  private static final Map<String, Object> STATE_MOUNT =
      Map.of("name", "hotreload", "mountPath", "/var/run/hotreload");
  private static final Map<String, Object> STATE_VOLUME =
      Map.of("name", "hotreload", "emptyDir", Map.of());

  /** Written the way people write manifests: comments, two spaces before #, mixed quoting. */
  private static final String DEPLOYMENT = """
      # hello: the service under development
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: hello
        namespace: dev
        labels: {app: hello, tier: "web"}
      spec:
        replicas: 1
        selector:
          matchLabels:
            app: hello
        template:
          metadata:
            labels:
              app: hello
          spec:
            securityContext:
              runAsNonRoot: true
            initContainers:
              - name: migrate
                image: ko://example.com/hello/cmd/hello
                args: ["migrate"]
            containers:
              # the app itself
              - name: app
                image: ko://example.com/hello/cmd/hello  # replaced by the built image
                args: ["--port", '8080']
                env:
                  - name: GREETING
                    value: "hello"
                ports:
                  - containerPort: 8080  # http
                volumeMounts:
                  - name: config
                    mountPath: /etc/hello
                    readOnly: true
              # a sidecar that is not ours
              - name: proxy
                image: envoyproxy/envoy:v1.31
                command: ["/usr/local/bin/envoy", "-c", "/etc/envoy/envoy.yaml"]
            volumes:
              - name: config
                configMap:
                  name: hello
                  defaultMode: 0644
      """;

  private static final String SERVICE = """
      # The front door.
      apiVersion: v1
      kind: Service
      metadata:
        name: hello
        annotations:
          note: 'single quoted'      # odd spacing stays
          empty:
      spec:
        selector: {app: hello}
        ports:
        - port: 80
          targetPort: 8080
      """;

  private static final String CONFIG_MAP = """
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: hello}
      data:
        mode: "0644"
        greeting.txt: |
          --- not a document marker: it is indented
          image: ko://example.com/hello/cmd/hello
      """;

  private static final String CRD_AND_CUSTOM_RESOURCES = """
      ---
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: widgets.example.com
      spec:
        group: example.com
        names: {kind: Widget, plural: widgets}
        scope: Namespaced
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
      ---
      apiVersion: example.com/v1
      kind: Widget
      metadata:
        name: w
      spec:
        image: ko://example.com/hello/cmd/hello   # a custom resource is no workload
      ---
      # A custom resource that borrows a workload's kind name, in its own API group.
      apiVersion: example.com/v1
      kind: Deployment
      metadata: {name: not-apps}
      spec:
        template:
          spec:
            containers:
            - {name: app, image: "ko://example.com/hello/cmd/hello"}
      """;

  @Test
  void aTouchedDocument_changesOnlyWhatTheDevSetupNeeds_keepingCommentsOrderAndQuoting() {
    String out = REWRITER.rewrite(DEPLOYMENT).yaml();

    assertThat(out).isEqualTo("""
        # hello: the service under development
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: hello
          namespace: dev
          labels: {app: hello, tier: "web"}
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: hello
          template:
            metadata:
              labels:
                app: hello
            spec:
              securityContext:
                runAsNonRoot: true
              initContainers:
                - name: migrate
                  image: %1$s
                  args: ["migrate"]
              containers:
                # the app itself
                - name: app
                  image: %1$s  # replaced by the built image
                  command:
                    - /ko-app/hotreload-agent
                    - run
                    - --dir
                    - /var/run/hotreload/app
                    - --
                    - /ko-app/hello
                    - "--port"
                    - '8080'
                  env:
                    - name: GREETING
                      value: "hello"
                  ports:
                    - containerPort: 8080  # http
                  volumeMounts:
                    - name: config
                      mountPath: /etc/hello
                      readOnly: true
                    - name: hotreload
                      mountPath: /var/run/hotreload
                # a sidecar that is not ours
                - name: proxy
                  image: envoyproxy/envoy:v1.31
                  command: ["/usr/local/bin/envoy", "-c", "/etc/envoy/envoy.yaml"]
              volumes:
                - name: config
                  configMap:
                    name: hello
                    defaultMode: 0644
                - name: hotreload
                  emptyDir: {}
        """.formatted(BUILT));
  }

  @Test
  void aTouchedDocument_keepsTheKeyOrderOfEveryMapping() {
    Map<String, Object> out = single(REWRITER.rewrite(DEPLOYMENT).yaml());

    assertThat(out.keySet()).containsExactly("apiVersion", "kind", "metadata", "spec");
    assertThat(map(out, "metadata").keySet()).containsExactly("name", "namespace", "labels");
    assertThat(map(out, "spec", "template", "spec").keySet())
        .containsExactly("securityContext", "initContainers", "containers", "volumes");
    assertThat(map(out, "spec", "template", "spec", "containers", 0).keySet())
        .containsExactly("name", "image", "command", "env", "ports", "volumeMounts");
  }

  @Test
  void theOnlyNewFields_areTheCommandTheMountAndTheVolume() {
    Set<String> before = keyPaths(single(DEPLOYMENT));
    Set<String> after = keyPaths(single(REWRITER.rewrite(DEPLOYMENT).yaml()));

    String pod = "spec.template.spec.";
    assertThat(difference(after, before))
        .containsExactlyInAnyOrder(
            pod + "containers[0].command",
            pod + "containers[0].volumeMounts[1].name",
            pod + "containers[0].volumeMounts[1].mountPath",
            pod + "volumes[1].name",
            pod + "volumes[1].emptyDir");
    assertThat(difference(before, after)).containsExactly(pod + "containers[0].args");
  }

  @Test
  void withAReadinessGate_thePodsThatRunTheAppGetIt_once_andOtherDocumentsStayByteIdentical() {
    ManifestRewriter gated = REWRITER.readinessGate("hotreload.dev/current-binary");
    String in = SERVICE + CONFIG_MAP + "---\n" + DEPLOYMENT;

    String out = gated.rewrite(in).yaml();

    Set<String> added = difference(keyPaths(single(gated.rewrite(DEPLOYMENT).yaml())),
        keyPaths(single(REWRITER.rewrite(DEPLOYMENT).yaml())));
    assertThat(added).containsExactlyInAnyOrder("spec.template.spec.readinessGates",
        "spec.template.spec.readinessGates[0].conditionType");
    // in the document's own sequence indentation
    assertThat(out).contains("      readinessGates:\n        - conditionType: "
            + "hotreload.dev/current-binary\n")
        .startsWith(SERVICE + CONFIG_MAP);
    // rewriting the rewritten text adds no second gate
    assertThat(gated.rewrite(out).yaml()).isEqualTo(out);
  }

  @Test
  void aReadinessGateWithoutAType_isRefused() {
    assertThatThrownBy(() -> REWRITER.readinessGate(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
  }

  @Test
  void noEmptyOrNullFieldsAppear() {
    String in = SERVICE + CONFIG_MAP + "---\n" + DEPLOYMENT + CRD_AND_CUSTOM_RESOURCES;

    String out = REWRITER.rewrite(in).yaml();

    assertThat(out).doesNotContain("null").doesNotContain("[]").doesNotContain("''");
    assertThat(count(out, "{}")).isEqualTo(count(in, "{}") + 1);
    assertThat(out).contains("emptyDir: {}");
  }

  @Test
  void untouchedDocuments_stayByteForByte_serviceConfigMapCrdAndCustomResources() {
    String in = SERVICE + CONFIG_MAP + "---\n" + DEPLOYMENT + CRD_AND_CUSTOM_RESOURCES;

    ManifestRewriter.Result result = REWRITER.rewrite(in);

    assertThat(result.yaml())
        .startsWith(SERVICE + CONFIG_MAP + "---\n")
        .endsWith(CRD_AND_CUSTOM_RESOURCES)
        .isEqualTo(
            SERVICE + CONFIG_MAP + "---\n" + REWRITER.rewrite(DEPLOYMENT).yaml()
                + CRD_AND_CUSTOM_RESOURCES);
    assertThat(result.containers())
        .extracting(ManifestRewriter.RewrittenContainer::documentIndex)
        .containsOnly(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workloads")
  void everyWorkloadKind_hasItsPodTemplateRewritten(
      String kind, String apiVersion, List<String> podSpecPath) {
    String yaml = workload(kind, apiVersion, podSpecPath);

    ManifestRewriter.Result result = REWRITER.rewrite(yaml);

    Map<String, Object> podSpec = map(single(result.yaml()), podSpecPath.toArray());
    Map<String, Object> app = map(podSpec, "containers", 0);
    assertThat(app.get("image")).isEqualTo(BUILT);
    assertThat(app.get("command")).isEqualTo(concat(AGENT, List.of("/ko-app/hello", "-v")));
    assertThat(app).doesNotContainKey("args");
    assertThat(list(app, "volumeMounts")).containsExactly(STATE_MOUNT);
    assertThat(list(podSpec, "volumes")).containsExactly(STATE_VOLUME);
    assertThat(result.containers())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(kind);
              assertThat(c.workload()).isEqualTo("w");
              assertThat(c.container()).isEqualTo("app");
              assertThat(c.initContainer()).isFalse();
              assertThat(c.originalImage()).isEqualTo(KO);
            });
  }

  static Stream<Arguments> workloads() {
    List<String> template = List.of("spec", "template", "spec");
    return Stream.of(
        Arguments.of("Pod", "v1", List.of("spec")),
        Arguments.of("Deployment", "apps/v1", template),
        Arguments.of("StatefulSet", "apps/v1", template),
        Arguments.of("DaemonSet", "apps/v1", template),
        Arguments.of("ReplicaSet", "apps/v1", template),
        Arguments.of("ReplicationController", "v1", template),
        Arguments.of("Job", "batch/v1", template),
        Arguments.of(
            "CronJob", "batch/v1", List.of("spec", "jobTemplate", "spec", "template", "spec")));
  }

  @Test
  void aListKind_hasEachItemRewritten_andItsOtherItemsLeftAlone() {
    String yaml = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: hello}
          spec: {ports: [{port: 80}]}
        - %s
        - %s
        """.formatted(
            indentTail(workload("Deployment", "apps/v1", List.of("spec", "template", "spec")), 2),
            indentTail(workload("Job", "batch/v1", List.of("spec", "template", "spec")), 2));

    ManifestRewriter.Result result = REWRITER.rewrite(yaml);

    Map<String, Object> out = single(result.yaml());
    assertThat(map(out, "items", 0)).isEqualTo(map(single(yaml), "items", 0));
    assertThat(map(out, "items", 1, "spec", "template", "spec", "containers", 0).get("image"))
        .isEqualTo(BUILT);
    assertThat(map(out, "items", 2, "spec", "template", "spec", "containers", 0).get("image"))
        .isEqualTo(BUILT);
    assertThat(result.containers())
        .extracting(ManifestRewriter.RewrittenContainer::kind)
        .containsExactly("Deployment", "Job");
  }

  @Test
  void aTypedListsItems_mayLeaveOutTheirKind() {
    String yaml = """
        apiVersion: apps/v1
        kind: DeploymentList
        items:
        - metadata: {name: hello}
          spec:
            template:
              spec:
                containers:
                - name: app
                  image: ko://example.com/hello/cmd/hello
        """;

    ManifestRewriter.Result result = REWRITER.rewrite(yaml);

    assertThat(result.containers()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo("Deployment");
      assertThat(c.workload()).isEqualTo("hello");
    });
  }

  @Test
  void koReferences_matchByImportPath_notByPrefix() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: two}
        spec:
          containers:
          - name: app
            image: ko://example.com/hello/cmd/hello
          - name: worker
            image: ko://example.com/hello/cmd/hello-worker
        """;

    ManifestRewriter.Result result = REWRITER.rewrite(yaml);

    assertThat(result.containers())
        .extracting(ManifestRewriter.RewrittenContainer::container)
        .containsExactly("app");
    assertThat(map(single(result.yaml()), "spec", "containers", 1).get("image"))
        .isEqualTo("ko://example.com/hello/cmd/hello-worker");
  }

  @Test
  void aPlainImageName_matchesWhateverTagOrDigestTheManifestPins() {
    ManifestRewriter rewriter =
        ManifestRewriter.of(
            ImageMatcher.parse("registry.example.com/team/hello"),
            CONTEXT,
            AgentManifestTransformer.DEFAULT);
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: tagged
            image: registry.example.com/team/hello:v1.2.3
            command: [/hello]
          - name: pinned
            image: registry.example.com/team/hello@sha256:%s
            command: [/hello]
          - name: other
            image: registry.example.com/team/hello-db:v1
        """.formatted("0".repeat(64));

    ManifestRewriter.Result result = rewriter.rewrite(yaml);

    assertThat(result.containers())
        .extracting(ManifestRewriter.RewrittenContainer::container)
        .containsExactly("tagged", "pinned");
  }

  @Test
  void aSidecarWithAnotherImage_isLeftAsItWas() {
    String out = REWRITER.rewrite(DEPLOYMENT).yaml();

    assertThat(map(single(out), "spec", "template", "spec", "containers", 1))
        .isEqualTo(map(single(DEPLOYMENT), "spec", "template", "spec", "containers", 1));
    assertThat(out)
        .contains("""
                  # a sidecar that is not ours
                  - name: proxy
                    image: envoyproxy/envoy:v1.31
                    command: ["/usr/local/bin/envoy", "-c", "/etc/envoy/envoy.yaml"]
          """);
  }

  @Test
  void anInitContainerOnTheBuiltImage_getsTheImageOnly_becauseItMustRunToCompletion() {
    ManifestRewriter.Result result = REWRITER.rewrite(DEPLOYMENT);

    Map<String, Object> init =
        map(single(result.yaml()), "spec", "template", "spec", "initContainers", 0);
    assertThat(init)
        .containsExactly(
            Map.entry("name", "migrate"),
            Map.entry("image", BUILT),
            Map.entry("args", List.of("migrate")));
    assertThat(result.containers())
        .extracting(c -> c.container() + ":" + c.initContainer())
        .containsExactly("migrate:true", "app:false");
  }

  @Test
  void anInitContainerWithAnotherImage_isLeftAsItWas() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          initContainers:
          - name: wait
            image: busybox:1.36
            command: [sh, -c, "until nslookup db; do sleep 1; done"]
          containers:
          - name: app
            image: ko://example.com/hello/cmd/hello
        """;

    String out = REWRITER.rewrite(yaml).yaml();

    assertThat(map(single(out), "spec", "initContainers", 0))
        .isEqualTo(map(single(yaml), "spec", "initContainers", 0));
  }

  @Test
  void rewritingTwice_givesTheSameTextAsRewritingOnce() {
    StringBuilder all = new StringBuilder(SERVICE + CONFIG_MAP);
    workloads().forEach(w -> {
      Object[] args = w.get();
      @SuppressWarnings("unchecked")
      List<String> path = (List<String>) args[2];
      all.append("---\n").append(workload((String) args[0], (String) args[1], path));
    });
    all.append("---\n").append(DEPLOYMENT).append(CRD_AND_CUSTOM_RESOURCES);

    ManifestRewriter.Result once = REWRITER.rewrite(all.toString());
    ManifestRewriter.Result twice = REWRITER.rewrite(once.yaml());

    assertThat(twice.yaml()).isEqualTo(once.yaml());
    assertThat(twice.containers())
        .extracting(c -> c.kind() + "/" + c.container())
        .isEqualTo(once.containers().stream().map(c -> c.kind() + "/" + c.container()).toList());
  }

  @Test
  void twoMatchedContainersInOnePod_shareOneVolume() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: a
            image: ko://example.com/hello/cmd/hello
          - name: b
            image: ko://example.com/hello/cmd/hello
            args: [--role, b]
        """;

    Map<String, Object> pod = single(REWRITER.rewrite(yaml).yaml());

    assertThat(list(map(pod, "spec"), "volumes")).containsExactly(STATE_VOLUME);
    assertThat(list(map(pod, "spec", "containers", 0), "volumeMounts"))
        .containsExactly(STATE_MOUNT);
    assertThat(list(map(pod, "spec", "containers", 1), "volumeMounts"))
        .containsExactly(STATE_MOUNT);
  }

  @Test
  void kubectlStyle_indentlessSequencesAndSortedKeys_isFollowedForNewEntries() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - image: ko://example.com/hello/cmd/hello
            name: app
            volumeMounts:
            - mountPath: /cache
              name: cache
          volumes:
          - emptyDir: {}
            name: cache
        """;

    assertThat(REWRITER.rewrite(yaml).yaml()).isEqualTo("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - image: %s
            command:
            - /ko-app/hotreload-agent
            - run
            - --dir
            - /var/run/hotreload/app
            - --
            - /ko-app/hello
            name: app
            volumeMounts:
            - mountPath: /cache
              name: cache
            - mountPath: /var/run/hotreload
              name: hotreload
          volumes:
          - emptyDir: {}
            name: cache
          - emptyDir: {}
            name: hotreload
        """.formatted(BUILT));
  }

  @Test
  void windowsLineBreaks_stayWindowsLineBreaks() {
    String yaml = DEPLOYMENT.replace("\n", "\r\n");

    String out = REWRITER.rewrite(yaml).yaml();

    assertThat(out.replace("\r\n", "")).doesNotContain("\n");
    assertThat(out.replace("\r\n", "\n")).isEqualTo(REWRITER.rewrite(DEPLOYMENT).yaml());
  }

  @Test
  void aFlowStyleCommand_staysFlowStyle_andKeepsItsQuoting() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: "ko://example.com/hello/cmd/hello"
            command: ['/ko-app/hello', "serve"]
            args: [--port, "8080"]
        """;

    assertThat(REWRITER.rewrite(yaml).yaml()).isEqualTo("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: "%s"
            command: [/ko-app/hotreload-agent, run, --dir, /var/run/hotreload/app, --, '/ko-app/hello', "serve", --port, "8080"]
            volumeMounts:
            - name: hotreload
              mountPath: /var/run/hotreload
          volumes:
          - name: hotreload
            emptyDir: {}
        """.formatted(BUILT));
  }

  @Test
  void aCommentAboveTheArgs_movesAboveTheCommandThatNowHoldsThem() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: ko://example.com/hello/cmd/hello
            # the flags
            args: [--port, "8080"]
        """;

    assertThat(REWRITER.rewrite(yaml).yaml())
        .contains("""
                image: %s
                # the flags
                command:
            """.formatted(BUILT))
        .containsOnlyOnce("# the flags");
  }

  @Test
  void aByteOrderMark_andBlankLinesBetweenItems_stayAsTheyWere() {
    String yaml = "\uFEFF" + """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: sidecar
            image: busybox

          - name: app
            image: ko://example.com/hello/cmd/hello
            env:
            - name: A
              value: "1"
          \s\s
            - name: B
              value: "2"
        """;

    String out = REWRITER.rewrite(yaml).yaml();

    assertThat(out).startsWith("\uFEFFapiVersion: v1\n");
    assertThat(out).contains("    image: busybox\n\n  - name: app\n");
    assertThat(out).contains("      value: \"1\"\n    \n    - name: B\n");
  }

  @Test
  void documentMarkersWithComments_andDocumentEndMarkers_areKept() {
    String yaml = """
        --- # the pod
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - {name: app, image: ko://example.com/hello/cmd/hello}
        ...
        # after the end marker
        --- # the service
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        """;

    String out = REWRITER.rewrite(yaml).yaml();

    assertThat(out)
        .startsWith("--- # the pod\napiVersion: v1\n")
        .contains("...\n# after the end marker\n--- # the service\n")
        .endsWith("--- # the service\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
    assertThat(map(loadAll(out).get(0), "spec", "containers", 0).get("image")).isEqualTo(BUILT);
  }

  @Test
  void anchorsUnicodeLeadingZerosAndDirectives_surviveARewrite() {
    String yaml = """
        %YAML 1.1
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: grüße  # ünïcode ✓
          labels: &labels
            app: hello
        spec:
          selector:
            matchLabels: *labels
          template:
            metadata:
              labels: *labels
            spec:
              containers:
              - name: app
                image: ko://example.com/hello/cmd/hello
                args: [--mode, "0644", 'yes']
                resources: {}
              volumes:
              - name: cfg
                secret: {secretName: s, defaultMode: 0400}
        """;

    assertThat(REWRITER.rewrite(yaml).yaml()).isEqualTo("""
        %%YAML 1.1
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: grüße  # ünïcode ✓
          labels: &labels
            app: hello
        spec:
          selector:
            matchLabels: *labels
          template:
            metadata:
              labels: *labels
            spec:
              containers:
              - name: app
                image: %s
                command:
                - /ko-app/hotreload-agent
                - run
                - --dir
                - /var/run/hotreload/app
                - --
                - /ko-app/hello
                - --mode
                - "0644"
                - 'yes'
                resources: {}
                volumeMounts:
                - name: hotreload
                  mountPath: /var/run/hotreload
              volumes:
              - name: cfg
                secret: {secretName: s, defaultMode: 0400}
              - name: hotreload
                emptyDir: {}
        """.formatted(BUILT));
  }

  @Test
  void commentOnlyDocuments_areKept_andNotCountedAsDocuments() {
    String header = """
        # Copyright header.
        ---
        # Nothing but a comment.
        ---
        """;
    String pod = workload("Pod", "v1", List.of("spec"));

    ManifestRewriter.Result result = REWRITER.rewrite(header + pod);

    assertThat(result.yaml()).startsWith(header);
    assertThat(result.containers()).singleElement()
        .extracting(ManifestRewriter.RewrittenContainer::documentIndex)
        .isEqualTo(0);
  }

  @Test
  void aTransformerMayChangeEnvAndWorkingDir_andOnlyThoseEntriesChange() {
    ManifestTransformer withEnv =
        (container, context) -> {
          Map<String, String> env = new LinkedHashMap<>(container.env());
          env.put("GREETING", "hi");
          env.put("HOTRELOAD", "1");
          return new ContainerSpec(
              container.name(),
              context.image(),
              container.command(),
              container.args(),
              env,
              Optional.of("/srv"),
              container.emptyDirMounts());
        };
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: ko://example.com/hello/cmd/hello
            env:
            - name: GREETING
              value: "hello"  # the default
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: s, key: t}}
        """;

    String out =
        ManifestRewriter.of(ImageMatcher.parse(KO), CONTEXT, withEnv).rewrite(yaml).yaml();

    assertThat(out).isEqualTo("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: %s
            workingDir: /srv
            env:
            - name: GREETING
              value: "hi"  # the default
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: s, key: t}}
            - name: HOTRELOAD
              value: '1'
        """.formatted(BUILT));
  }

  @Test
  void aLargeFileOfTwoHundredDocuments_isRewrittenDocumentByDocument() {
    StringBuilder in = new StringBuilder();
    List<String> untouched = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      if (i > 0) {
        in.append("---\n");
      }
      if (i % 4 == 0) {
        in.append(workload("Deployment", "apps/v1", List.of("spec", "template", "spec"))
            .replace("name: w", "name: w" + i));
      } else {
        String doc = SERVICE.replace("name: hello", "name: svc" + i);
        untouched.add(doc);
        in.append(doc);
      }
    }

    ManifestRewriter.Result result = REWRITER.rewrite(in.toString());

    assertThat(result.containers()).hasSize(50);
    assertThat(result.containers().get(49).documentIndex()).isEqualTo(196);
    assertThat(result.containers().get(49).workload()).isEqualTo("w196");
    List<Map<String, Object>> docs = loadAll(result.yaml());
    assertThat(docs).hasSize(200);
    for (int i = 0; i < 200; i += 4) {
      assertThat(map(docs.get(i), "spec", "template", "spec", "containers", 0).get("image"))
          .isEqualTo(BUILT);
    }
    for (String doc : untouched) {
      assertThat(result.yaml()).contains("---\n" + doc);
    }
    assertThat(REWRITER.rewrite(result.yaml()).yaml()).isEqualTo(result.yaml());
  }

  @Test
  void theSummary_namesEachWorkloadAndContainer() {
    ManifestRewriter.Result result = REWRITER.rewrite(DEPLOYMENT);

    assertThat(result.summary())
        .isEqualTo(
            "Deployment dev/hello, init container migrate (was " + KO + ")\n"
                + "Deployment dev/hello, container app (was " + KO + ")");
  }

  @Test
  void aDocumentThatIsNotYaml_isReportedWithItsIndexAndLine() {
    String yaml = """
        apiVersion: v1
        kind: Service
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: ConfigMap
        data: key: value
        """;

    assertThatThrownBy(() -> REWRITER.rewrite(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("document 1")
        .hasMessageContaining("line 7")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void whenNoContainerUsesTheImage_theErrorListsTheImagesFound() {
    String yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: hello}
        spec:
          template:
            spec:
              initContainers:
              - {name: setup, image: busybox:1.36}
              containers:
              - {name: app, image: "ko://example.com/hello/cmd/helo"}
              - {name: proxy, image: "envoyproxy/envoy:v1.31"}
        """;

    assertThatThrownBy(() -> REWRITER.rewrite(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No container in the manifests uses the image " + KO)
        .hasMessageContaining(
            "Deployment hello (document 0): init setup=busybox:1.36,"
                + " app=ko://example.com/hello/cmd/helo, proxy=envoyproxy/envoy:v1.31");
  }

  @Test
  void anUnrenderedTemplateAsImage_isPointedOutInTheError() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: {{ .Values.image }}
        """;

    assertThatThrownBy(() -> REWRITER.rewrite(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("app=<not a string; an unrendered template?>");
  }

  @Test
  void whenTheManifestsHoldNoWorkload_theErrorSaysWhichKindsItFound() {
    assertThatThrownBy(() -> REWRITER.rewrite(SERVICE + CONFIG_MAP))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hold no Pod, Deployment")
        .hasMessageContaining("kinds found: Service, ConfigMap");
  }

  @Test
  void whenOnlyAnInitContainerUsesTheImage_theErrorSaysHotReloadNeedsARunningContainer() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          initContainers:
          - {name: migrate, image: "ko://example.com/hello/cmd/hello"}
          containers:
          - {name: db, image: "postgres:16"}
        """;

    assertThatThrownBy(() -> REWRITER.rewrite(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("except init containers");
  }

  @Test
  void aContainerTheTransformerRefuses_isNamedWithItsWorkload() {
    ManifestRewriter noEntrypoint =
        ManifestRewriter.of(
            ImageMatcher.parse(KO),
            new Context(BUILT, List.of()),
            AgentManifestTransformer.DEFAULT);

    assertThatThrownBy(() -> noEntrypoint.rewrite(DEPLOYMENT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Deployment dev/hello (document 0)")
        .hasMessageContaining("'app'")
        .hasMessageContaining("no entrypoint");
  }

  @Test
  void anotherVolumeAtTheAgentsDirectory_isAConflictNamedInTheError() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: ko://example.com/hello/cmd/hello
            volumeMounts:
            - {name: cfg, mountPath: /var/run/hotreload}
          volumes:
          - {name: cfg, configMap: {name: c}}
        """;

    assertThatThrownBy(() -> REWRITER.rewrite(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("container 'app' of Pod p (document 0)")
        .hasMessageContaining("already mounts volume 'cfg' at /var/run/hotreload");
  }

  @Test
  void aVolumeNamedLikeTheAgentsButNotAnEmptyDir_isAConflictNamedInTheError() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: app
            image: ko://example.com/hello/cmd/hello
          volumes:
          - {name: hotreload, configMap: {name: c}}
        """;

    assertThatThrownBy(() -> REWRITER.rewrite(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("volume named 'hotreload' that is not an emptyDir");
  }

  @Test
  void aKoReferenceAsTheBuiltImage_isRefused() {
    assertThatThrownBy(
            () ->
                ManifestRewriter.of(
                    ImageMatcher.parse(KO),
                    new Context(KO, List.of("/ko-app/hello")),
                    AgentManifestTransformer.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(KO);
  }

  // ---- helpers

  private static String workload(String kind, String apiVersion, List<String> podSpecPath) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("apiVersion: ").append(apiVersion).append('\n');
    yaml.append("kind: ").append(kind).append('\n');
    yaml.append("metadata:\n  name: w\n");
    String indent = "";
    for (String key : podSpecPath) {
      yaml.append(indent).append(key).append(":\n");
      indent += "  ";
    }
    yaml.append(indent).append("containers:\n");
    yaml.append(indent).append("- name: app\n");
    yaml.append(indent).append("  image: ko://example.com/hello/cmd/hello\n");
    yaml.append(indent).append("  args: [-v]\n");
    return yaml.toString();
  }

  /** Indents all lines but the first, to nest a document under a list item's dash. */
  private static String indentTail(String text, int spaces) {
    return text.strip().replace("\n", "\n" + " ".repeat(spaces));
  }

  private static List<Map<String, Object>> loadAll(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(yaml)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) doc;
      docs.add(map);
    }
    return docs;
  }

  private static Map<String, Object> single(String yaml) {
    List<Map<String, Object>> docs = loadAll(yaml);
    assertThat(docs).hasSize(1);
    return docs.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object root, Object... path) {
    Object node = root;
    for (Object step : path) {
      node =
          step instanceof Integer i
              ? ((List<Object>) node).get(i)
              : ((Map<String, Object>) node).get(step);
    }
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> map, String key) {
    return (List<Object>) map.get(key);
  }

  /** Every mapping key's path, with list indices, so a moved or added field shows up. */
  private static Set<String> keyPaths(Object node) {
    Set<String> paths = new TreeSet<>();
    collectPaths(node, "", paths);
    return paths;
  }

  @SuppressWarnings("unchecked")
  private static void collectPaths(Object node, String prefix, Set<String> into) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<String, Object> entry : ((Map<String, Object>) map).entrySet()) {
        String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
        into.add(path);
        collectPaths(entry.getValue(), path, into);
      }
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        collectPaths(list.get(i), prefix + "[" + i + "]", into);
      }
    }
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> result = new TreeSet<>(a);
    result.removeAll(b);
    return result;
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
