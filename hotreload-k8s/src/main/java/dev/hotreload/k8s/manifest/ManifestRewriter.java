package dev.hotreload.k8s.manifest;

import dev.hotreload.spi.ManifestTransformer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Rewrites Kubernetes manifests for development: every container that runs the app being built
 * gets the built image and the command a {@link ManifestTransformer} gives it, and everything
 * else stays as it was written.
 *
 * <p>Reads YAML streams of any number of documents, including {@code kind: List} (and typed lists
 * such as {@code DeploymentList}) with {@code items}. Finds pod templates in Pod, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and CronJob ({@code
 * spec.jobTemplate.spec.template}); a custom resource that borrows one of those kind names in
 * another API group is left alone.
 *
 * <p>What changes, per matched container (see {@link ImageMatcher}; a container already on the
 * built image's repository matches too, so rewriting a rewritten manifest changes nothing):
 *
 * <ul>
 *   <li>in {@code containers}: {@code image}, {@code command}, {@code args}, and {@code env} or
 *       {@code workingDir} if the transformer changes them; each {@code emptyDir} mount the
 *       transformer adds becomes a {@code volumeMounts} entry and, once per pod, an {@code
 *       emptyDir} volume. Existing {@code env} entries keep their order; {@code valueFrom}
 *       entries are not shown to the transformer and never change; a container's name never
 *       changes.
 *   <li>in {@code initContainers}: only {@code image}. An init container must run to completion
 *       and is never reloaded, so it does not run under a supervisor, which would restart it when
 *       it exits; but it must not keep a {@code ko://} reference nobody can pull, and runs the same
 *       build as the app.
 *   <li>{@code ephemeralContainers} are never touched: they are not part of a manifest one applies.
 * </ul>
 *
 * <p>Fidelity: a document the rewrite does not change is copied byte for byte, whatever its kind.
 * A changed document is re-emitted by SnakeYAML from its node tree: key order, comments, blank
 * lines, flow or block style, each scalar's quoting, anchors and line breaks stay; the indentation
 * follows the document's own; the only fields added are the ones listed above. Known limits of a
 * changed document, all SnakeYAML's: a plain scalar written over several lines comes out on one;
 * a comment right after a block scalar ({@code |}) stays with that scalar even when a field is
 * added after it; the first item of a sequence written without indentation ({@code containers:\n-
 * name: app}) gets indented when a comment stands above it.
 *
 * <p>Immutable and thread-safe; {@link #rewrite(String)} does not block.
 *
 * <pre>{@code
 * ManifestRewriter rewriter = ManifestRewriter.of(
 *     ImageMatcher.parse("ko://example.com/hello/cmd/server"),
 *     new ManifestTransformer.Context(
 *         "localhost:5000/hello@sha256:...", List.of("/ko-app/server")),
 *     AgentManifestTransformer.DEFAULT);
 * ManifestRewriter.Result result = rewriter.rewrite(Files.readString(Path.of("k8s/app.yaml")));
 * }</pre>
 */
public final class ManifestRewriter {
  private final ImageMatcher matcher;
  private final ManifestTransformer.Context context;
  private final ManifestTransformer transformer;
  private final PodRewriter pods;

  private ManifestRewriter(ImageMatcher matcher, ManifestTransformer.Context context,
      ManifestTransformer transformer, Optional<String> readinessGate) {
    this.matcher = matcher;
    this.context = context;
    this.transformer = transformer;
    this.pods = new PodRewriter(matcher, context, transformer, readinessGate);
  }

  /**
   * Creates a rewriter.
   *
   * @param matcher which containers run the app being built
   * @param context the built image's reference and entrypoint
   * @param transformer what a matched container becomes
   * @return the rewriter
   * @throws IllegalArgumentException if the built image is a {@code ko://} reference, which no
   *     cluster can pull
   */
  public static ManifestRewriter of(
      ImageMatcher matcher, ManifestTransformer.Context context, ManifestTransformer transformer) {
    Objects.requireNonNull(matcher, "matcher");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(transformer, "transformer");
    if (context.image().startsWith("ko://") || context.image().isBlank()) {
      throw new IllegalArgumentException(
          "context image '" + context.image() + "' must be a pullable image reference");
    }
    return new ManifestRewriter(matcher, context, transformer, Optional.empty());
  }

  /**
   * The same rewriter, which also gives every pod that runs the app a readiness gate: the pod
   * is Ready only once its status has a condition of this type set to True, as a dev session
   * does after the pod got the current binary, so a Service never routes to a new pod that
   * still runs the image's older build.
   *
   * @param conditionType such as {@code hotreload.dev/current-binary}
   * @return a new rewriter
   */
  public ManifestRewriter readinessGate(String conditionType) {
    if (conditionType == null || conditionType.isBlank()) {
      throw new IllegalArgumentException("readiness gate condition type '" + conditionType
          + "' is empty");
    }
    return new ManifestRewriter(matcher, context, transformer, Optional.of(conditionType));
  }

  /**
   * Rewrites a YAML stream.
   *
   * @param yaml one or more YAML documents
   * @return the rewritten stream and which containers were rewritten
   * @throws IllegalArgumentException if a document is not YAML (the message names the document,
   *     counted from 0, and the line), if a matched container or its pod is malformed or cannot
   *     take the transformer's changes, if the transformer refuses a container, or if no container
   *     (init containers aside) uses the image (the message lists the images found)
   */
  public Result rewrite(String yaml) {
    Run run = new Run();
    Result result = rewrite(yaml, run);
    if (run.rewritten.stream().allMatch(RewrittenContainer::initContainer)) {
      throw noMatch(run);
    }
    return result;
  }

  /**
   * Rewrites a YAML stream that may not use the image at all, as one file of a manifest set
   * where another file runs it: then the text comes back unchanged and no container is listed.
   *
   * @param yaml one or more YAML documents
   * @return the rewritten stream and which containers were rewritten, perhaps none
   * @throws IllegalArgumentException as {@link #rewrite}, except when no container uses the
   *     image
   */
  public Result rewriteIfUsed(String yaml) {
    return rewrite(yaml, new Run());
  }

  private Result rewrite(String yaml, Run run) {
    Objects.requireNonNull(yaml, "yaml");
    StringBuilder out = new StringBuilder(yaml.length() + 256);
    int documentIndex = -1;
    for (ManifestDocuments.Chunk chunk : ManifestDocuments.split(yaml)) {
      if (!chunk.hasContent()) {
        out.append(chunk.text());
        continue;
      }
      documentIndex++;
      Node root = parse(chunk, documentIndex);
      boolean modified =
          root instanceof MappingNode resource
              && WorkloadKinds.rewritePodTemplates(
                  resource,
                  documentIndex,
                  run.kinds,
                  pod -> pods.rewrite(pod, run.images, run.rewritten));
      if (modified) {
        out.append(chunk.marker())
            .append(ManifestYaml.emit(root, ManifestYaml.compose(chunk.body()), chunk.body()))
            .append(chunk.suffix());
      } else {
        out.append(chunk.text());
      }
    }
    return new Result(out.toString(), run.rewritten);
  }

  private static Node parse(ManifestDocuments.Chunk chunk, int documentIndex) {
    String notYaml =
        "Manifest document "
            + documentIndex
            + " (counting from 0, starting at line "
            + (chunk.bodyLine() + 1)
            + ") is not valid YAML: ";
    try {
      return ManifestYaml.compose(chunk.body());
    } catch (MarkedYAMLException e) {
      int line = chunk.bodyLine() + 1;
      int column = 1;
      if (e.getProblemMark() != null) {
        line += e.getProblemMark().getLine();
        column = e.getProblemMark().getColumn() + 1;
      }
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      throw new IllegalArgumentException(
          notYaml + problem + " at line " + line + ", column " + column, e);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(notYaml + e.getMessage(), e);
    }
  }

  private IllegalArgumentException noMatch(Run run) {
    StringBuilder message =
        new StringBuilder("No container in the manifests uses the image ").append(matcher);
    if (!run.rewritten.isEmpty()) {
      message.append(
          " except init containers, which are never reloaded: hot reload needs a container that"
              + " keeps running. ");
    } else {
      message.append(". ");
    }
    if (run.images.isEmpty()) {
      message
          .append("The manifests hold no Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,")
          .append(" ReplicationController, Job or CronJob")
          .append(run.kinds.isEmpty() ? "" : " (kinds found: " + String.join(", ", run.kinds) + ")")
          .append(".");
    } else {
      message.append("Images found: ").append(String.join("; ", run.images)).append(". ");
      message.append(
          "Use one of these as the image reference, or write the reference (ko://<import path> or"
              + " the image name) in the container's image field.");
    }
    return new IllegalArgumentException(message.toString());
  }

  /**
   * A rewritten YAML stream and what was rewritten in it.
   *
   * @param yaml the rewritten stream
   * @param containers every container that uses the built image, in document order, including
   *     those that already did and needed no change
   */
  public record Result(String yaml, List<RewrittenContainer> containers) {
    /** Copies the list. */
    public Result {
      Objects.requireNonNull(yaml, "yaml");
      containers = List.copyOf(containers);
    }

    /**
     * One line per rewritten container, for a console.
     *
     * @return the lines, joined with {@code \n}
     */
    public String summary() {
      List<String> lines = new ArrayList<>();
      for (RewrittenContainer container : containers) {
        lines.add(container.toString());
      }
      return String.join("\n", lines);
    }
  }

  /**
   * A container the rewrite gave the built image.
   *
   * @param documentIndex which document it is in, counting from 0 and skipping comment-only ones
   * @param kind the workload's kind, like {@code Deployment}
   * @param namespace the workload's namespace, if the manifest sets one
   * @param workload the workload's name (or {@code generateName})
   * @param container the container's name
   * @param initContainer true for an init container, whose image alone was replaced
   * @param originalImage the image the manifest named
   */
  public record RewrittenContainer(
      int documentIndex,
      String kind,
      Optional<String> namespace,
      String workload,
      String container,
      boolean initContainer,
      String originalImage) {
    /** Checks the fields. */
    public RewrittenContainer {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(workload, "workload");
      Objects.requireNonNull(container, "container");
      Objects.requireNonNull(originalImage, "originalImage");
    }

    /**
     * Describes it for a person.
     *
     * @return like {@code Deployment default/hello, container app (was ko://example.com/hello)}
     */
    @Override
    public String toString() {
      return kind
          + " "
          + namespace.map(ns -> ns + "/").orElse("")
          + workload
          + ", "
          + (initContainer ? "init container " : "container ")
          + container
          + " (was "
          + originalImage
          + ")";
    }
  }

  private static final class Run {
    final List<RewrittenContainer> rewritten = new ArrayList<>();
    final List<String> images = new ArrayList<>();
    final Set<String> kinds = new LinkedHashSet<>();
  }
}
