package dev.hotreload.k8s.manifest;

import dev.hotreload.spi.ContainerSpec.EmptyDirMount;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ManifestTransformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

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
  private static final Map<String, Workload> WORKLOADS = workloads();

  private final ImageMatcher matcher;
  private final ManifestTransformer.Context context;
  private final ManifestTransformer transformer;
  private final String builtRepository;

  private ManifestRewriter(
      ImageMatcher matcher, ManifestTransformer.Context context, ManifestTransformer transformer) {
    this.matcher = matcher;
    this.context = context;
    this.transformer = transformer;
    this.builtRepository = ImageMatcher.repositoryOf(context.image());
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
    return new ManifestRewriter(matcher, context, transformer);
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
    Objects.requireNonNull(yaml, "yaml");
    Run run = new Run();
    StringBuilder out = new StringBuilder(yaml.length() + 256);
    int documentIndex = -1;
    for (ManifestDocuments.Chunk chunk : ManifestDocuments.split(yaml)) {
      if (!chunk.hasContent()) {
        out.append(chunk.text());
        continue;
      }
      documentIndex++;
      Node root = parse(chunk, documentIndex);
      Document document = new Document(documentIndex);
      if (root instanceof MappingNode resource) {
        visitResource(resource, document, "", null, null, run);
      }
      if (document.modified) {
        out.append(chunk.marker())
            .append(ManifestYaml.emit(root, chunk.body()))
            .append(chunk.suffix());
      } else {
        out.append(chunk.text());
      }
    }
    if (run.rewritten.stream().allMatch(RewrittenContainer::initContainer)) {
      throw noMatch(run);
    }
    return new Result(out.toString(), run.rewritten);
  }

  private static Node parse(ManifestDocuments.Chunk chunk, int documentIndex) {
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
          "Manifest document "
              + documentIndex
              + " (counting from 0, starting at line "
              + (chunk.bodyLine() + 1)
              + ") is not valid YAML: "
              + problem
              + " at line "
              + line
              + ", column "
              + column,
          e);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(
          "Manifest document "
              + documentIndex
              + " (counting from 0, starting at line "
              + (chunk.bodyLine() + 1)
              + ") is not valid YAML: "
              + e.getMessage(),
          e);
    }
  }

  private void visitResource(
      MappingNode resource,
      Document document,
      String itemPath,
      String inheritedKind,
      String inheritedApiVersion,
      Run run) {
    String kind = YamlNodes.string(resource, "kind").orElse(inheritedKind);
    String apiVersion = YamlNodes.string(resource, "apiVersion").orElse(inheritedApiVersion);
    if (kind == null) {
      return;
    }
    run.kinds.add(kind);
    Optional<SequenceNode> items = YamlNodes.sequence(resource, "items");
    if (kind.endsWith("List") && items.isPresent()) {
      // Items of a typed list (DeploymentList) may leave out kind and apiVersion.
      String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - 4);
      String itemApiVersion = kind.equals("List") ? null : apiVersion;
      List<Node> nodes = items.get().getValue();
      for (int i = 0; i < nodes.size(); i++) {
        if (nodes.get(i) instanceof MappingNode item) {
          visitResource(
              item, document, itemPath + "items[" + i + "].", itemKind, itemApiVersion, run);
        }
      }
      return;
    }
    Workload workload = WORKLOADS.get(kind);
    if (workload == null || !workload.accepts(apiVersion)) {
      return;
    }
    Optional<MappingNode> podSpec = Optional.of(resource);
    for (String key : workload.podSpecPath()) {
      podSpec = podSpec.flatMap(node -> YamlNodes.mapping(node, key));
    }
    if (podSpec.isEmpty()) {
      return;
    }
    Optional<MappingNode> metadata = YamlNodes.mapping(resource, "metadata");
    String name =
        metadata
            .flatMap(m -> YamlNodes.string(m, "name"))
            .or(() -> metadata.flatMap(m -> YamlNodes.string(m, "generateName")))
            .orElse("<unnamed>");
    Optional<String> namespace = metadata.flatMap(m -> YamlNodes.string(m, "namespace"));
    String where =
        kind
            + " "
            + namespace.map(ns -> ns + "/").orElse("")
            + name
            + " (document "
            + document.index
            + (itemPath.isEmpty() ? "" : ", " + itemPath.substring(0, itemPath.length() - 1))
            + ")";
    rewritePod(
        podSpec.get(), new Workplace(document, kind, namespace, name, where), run);
  }

  private void rewritePod(MappingNode podSpec, Workplace place, Run run) {
    List<MappingNode> containers = containers(podSpec, "containers", place);
    List<MappingNode> initContainers = containers(podSpec, "initContainers", place);
    List<String> images = new ArrayList<>();
    for (MappingNode container : initContainers) {
      images.add("init " + nameOf(container) + "=" + describeImage(container));
    }
    for (MappingNode container : containers) {
      images.add(nameOf(container) + "=" + describeImage(container));
    }
    run.images.add(
        place.where() + ": " + (images.isEmpty() ? "no containers" : String.join(", ", images)));

    for (MappingNode container : initContainers) {
      Optional<String> image = YamlNodes.string(container, "image");
      if (image.isPresent() && usesBuiltImage(image.get())) {
        if (!image.get().equals(context.image())) {
          Node old = YamlNodes.get(container, "image").orElseThrow();
          YamlNodes.put(container, "image", YamlNodes.replacing(old, context.image()));
          place.document().modified = true;
        }
        run.rewritten.add(place.container(nameOf(container), true, image.get()));
      }
    }
    for (MappingNode container : containers) {
      Optional<String> image = YamlNodes.string(container, "image");
      if (image.isPresent() && usesBuiltImage(image.get())) {
        rewriteContainer(podSpec, container, place);
        run.rewritten.add(place.container(nameOf(container), false, image.get()));
      }
    }
  }

  private boolean usesBuiltImage(String image) {
    return matcher.matches(image)
        || (!image.startsWith("ko://") && ImageMatcher.repositoryOf(image).equals(builtRepository));
  }

  private void rewriteContainer(MappingNode podSpec, MappingNode container, Workplace place) {
    String where = "container '" + nameOf(container) + "' of " + place.where();
    Map<String, MappingNode> volumes = volumes(podSpec, place.where());
    ContainerSpec before = read(container, volumes, where);
    ContainerSpec after;
    try {
      after = transformer.transform(before, context);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(place.where() + ": " + e.getMessage(), e);
    }
    if (after == null) {
      throw new IllegalStateException(
          transformer.getClass().getName() + " returned null for " + where);
    }
    boolean changed = applyScalars(container, before, after);
    changed |= applyCommandAndArgs(container, before, after);
    changed |= applyEnv(container, before, after);
    for (EmptyDirMount mount : after.emptyDirMounts()) {
      if (!before.emptyDirMounts().contains(mount)) {
        addMount(container, mount, where);
        addEmptyDirVolume(podSpec, mount.volumeName(), volumes, place.where());
        changed = true;
      }
    }
    if (changed) {
      place.document().modified = true;
    }
  }

  private static ContainerSpec read(
      MappingNode container, Map<String, MappingNode> volumes, String where) {
    Map<String, String> env = new LinkedHashMap<>();
    for (MappingNode entry : entries(container, "env", where)) {
      Optional<String> name = YamlNodes.string(entry, "name");
      if (name.isPresent() && YamlNodes.get(entry, "valueFrom").isEmpty()) {
        env.put(name.get(), YamlNodes.string(entry, "value").orElse(""));
      }
    }
    List<EmptyDirMount> mounts = new ArrayList<>();
    for (MappingNode mount : entries(container, "volumeMounts", where)) {
      Optional<String> name = YamlNodes.string(mount, "name");
      Optional<String> path = YamlNodes.string(mount, "mountPath");
      if (name.isPresent()
          && path.isPresent()
          && volumes.containsKey(name.get())
          && YamlNodes.get(volumes.get(name.get()), "emptyDir").isPresent()) {
        mounts.add(new EmptyDirMount(name.get(), path.get()));
      }
    }
    return new ContainerSpec(
        nameOf(container),
        YamlNodes.string(container, "image").orElseThrow(),
        strings(container, "command", where),
        strings(container, "args", where),
        env,
        YamlNodes.string(container, "workingDir"),
        mounts);
  }

  private static boolean applyScalars(
      MappingNode container, ContainerSpec before, ContainerSpec after) {
    boolean changed = false;
    if (!after.image().equals(before.image())) {
      Node old = YamlNodes.get(container, "image").orElseThrow();
      YamlNodes.put(container, "image", YamlNodes.replacing(old, after.image()));
      changed = true;
    }
    if (!after.workingDir().equals(before.workingDir())) {
      if (after.workingDir().isEmpty()) {
        YamlNodes.remove(container, "workingDir");
      } else {
        Node old = YamlNodes.get(container, "workingDir").orElse(null);
        YamlNodes.put(
            container,
            "workingDir",
            old == null
                ? YamlNodes.plain(after.workingDir().get())
                : YamlNodes.replacing(old, after.workingDir().get()),
            "args",
            "command",
            "image");
      }
      changed = true;
    }
    return changed;
  }

  private static boolean applyCommandAndArgs(
      MappingNode container, ContainerSpec before, ContainerSpec after) {
    if (after.command().equals(before.command()) && after.args().equals(before.args())) {
      return false;
    }
    // The original words keep their quoting and comments wherever they end up.
    List<ScalarNode> reusable = new ArrayList<>();
    Optional<Node> oldCommand = YamlNodes.get(container, "command");
    Optional<Node> oldArgs = YamlNodes.get(container, "args");
    oldCommand.ifPresent(node -> collectScalars(node, reusable));
    oldArgs.ifPresent(node -> collectScalars(node, reusable));
    if (!after.command().equals(before.command())) {
      if (after.command().isEmpty()) {
        YamlNodes.remove(container, "command");
      } else {
        YamlNodes.put(
            container,
            "command",
            words(after.command(), reusable, flowStyleOf(oldCommand)),
            "image",
            "name");
      }
    }
    if (!after.args().equals(before.args())) {
      if (after.args().isEmpty()) {
        // The arguments live on in the command, and so does what was said about them.
        YamlNodes.remove(container, "args", "command");
      } else {
        YamlNodes.put(
            container,
            "args",
            words(after.args(), reusable, flowStyleOf(oldArgs)),
            "command",
            "image",
            "name");
      }
    }
    return true;
  }

  private static boolean applyEnv(
      MappingNode container, ContainerSpec before, ContainerSpec after) {
    if (after.env().equals(before.env())) {
      return false;
    }
    Map<String, String> remaining = new LinkedHashMap<>(after.env());
    Optional<SequenceNode> env = YamlNodes.sequence(container, "env");
    if (env.isPresent()) {
      List<Node> entries = env.get().getValue();
      for (int i = 0; i < entries.size(); i++) {
        if (!(entries.get(i) instanceof MappingNode entry)
            || YamlNodes.get(entry, "valueFrom").isPresent()) {
          continue;
        }
        Optional<String> name = YamlNodes.string(entry, "name");
        if (name.isEmpty()) {
          continue;
        }
        if (!remaining.containsKey(name.get())) {
          entries.remove(i--);
          continue;
        }
        String value = remaining.remove(name.get());
        if (!value.equals(YamlNodes.string(entry, "value").orElse(""))) {
          Node old = YamlNodes.get(entry, "value").orElse(null);
          YamlNodes.put(
              entry,
              "value",
              old == null ? YamlNodes.plain(value) : YamlNodes.replacing(old, value),
              "name");
        }
      }
    }
    if (remaining.isEmpty()) {
      return true;
    }
    SequenceNode target =
        env.orElseGet(
            () -> {
              SequenceNode created =
                  YamlNodes.sequence(List.of(), DumperOptions.FlowStyle.BLOCK);
              YamlNodes.put(container, "env", created);
              return created;
            });
    for (Map.Entry<String, String> variable : remaining.entrySet()) {
      MappingNode entry = YamlNodes.mapping(DumperOptions.FlowStyle.BLOCK);
      entry.getValue().add(tuple("name", variable.getKey()));
      entry.getValue().add(tuple("value", variable.getValue()));
      target.getValue().add(entry);
    }
    return true;
  }

  private static void addMount(MappingNode container, EmptyDirMount mount, String where) {
    Optional<Node> existing = YamlNodes.get(container, "volumeMounts");
    SequenceNode mounts;
    if (existing.isEmpty() || YamlNodes.isNull(existing.get())) {
      mounts = YamlNodes.sequence(List.of(), DumperOptions.FlowStyle.BLOCK);
      YamlNodes.put(container, "volumeMounts", mounts);
    } else if (existing.get() instanceof SequenceNode sequence) {
      mounts = sequence;
    } else {
      throw new IllegalArgumentException("volumeMounts of " + where + " is not a list");
    }
    boolean pathFirst = false;
    for (Node node : mounts.getValue()) {
      if (node instanceof MappingNode entry) {
        if (YamlNodes.string(entry, "mountPath").orElse("").equals(mount.mountPath())) {
          throw new IllegalArgumentException(
              where
                  + " already mounts volume '"
                  + YamlNodes.string(entry, "name").orElse("?")
                  + "' at "
                  + mount.mountPath()
                  + ", where the dev setup needs the emptyDir volume '"
                  + mount.volumeName()
                  + "'");
        }
        pathFirst |= YamlNodes.indexOf(entry, "mountPath") == 0;
      }
    }
    // Follow the file's habit: kubectl sorts keys (mountPath first), people often write name
    // first.
    MappingNode entry = YamlNodes.mapping(DumperOptions.FlowStyle.BLOCK);
    NodeTuple name = tuple("name", mount.volumeName());
    NodeTuple path = tuple("mountPath", mount.mountPath());
    entry.getValue().addAll(pathFirst ? List.of(path, name) : List.of(name, path));
    mounts.getValue().add(entry);
  }

  private static void addEmptyDirVolume(
      MappingNode podSpec, String name, Map<String, MappingNode> volumes, String where) {
    MappingNode existing = volumes.get(name);
    if (existing != null) {
      if (YamlNodes.get(existing, "emptyDir").isPresent()) {
        return;
      }
      throw new IllegalArgumentException(
          where
              + " already has a volume named '"
              + name
              + "' that is not an emptyDir; the dev setup needs that name for its own emptyDir");
    }
    Optional<Node> node = YamlNodes.get(podSpec, "volumes");
    SequenceNode list;
    if (node.isEmpty() || YamlNodes.isNull(node.get())) {
      list = YamlNodes.sequence(List.of(), DumperOptions.FlowStyle.BLOCK);
      YamlNodes.put(podSpec, "volumes", list);
    } else {
      list = (SequenceNode) node.get();
    }
    boolean nameLast = false;
    for (Node item : list.getValue()) {
      nameLast |= item instanceof MappingNode entry && YamlNodes.indexOf(entry, "name") > 0;
    }
    MappingNode volume = YamlNodes.mapping(DumperOptions.FlowStyle.BLOCK);
    NodeTuple nameTuple = tuple("name", name);
    NodeTuple emptyDir =
        new NodeTuple(
            YamlNodes.plain("emptyDir"), YamlNodes.mapping(DumperOptions.FlowStyle.FLOW));
    volume.getValue().addAll(
        nameLast ? List.of(emptyDir, nameTuple) : List.of(nameTuple, emptyDir));
    list.getValue().add(volume);
    volumes.put(name, volume);
  }

  private static Map<String, MappingNode> volumes(MappingNode podSpec, String where) {
    Map<String, MappingNode> volumes = new LinkedHashMap<>();
    Optional<Node> node = YamlNodes.get(podSpec, "volumes");
    if (node.isPresent() && !YamlNodes.isNull(node.get())) {
      if (!(node.get() instanceof SequenceNode list)) {
        throw new IllegalArgumentException("volumes of " + where + " is not a list");
      }
      for (Node item : list.getValue()) {
        if (item instanceof MappingNode volume) {
          YamlNodes.string(volume, "name").ifPresent(name -> volumes.put(name, volume));
        }
      }
    }
    return volumes;
  }

  private static List<MappingNode> containers(MappingNode podSpec, String key, Workplace place) {
    return entries(podSpec, key, place.where());
  }

  private static List<MappingNode> entries(MappingNode parent, String key, String where) {
    Optional<Node> node = YamlNodes.get(parent, key);
    if (node.isEmpty() || YamlNodes.isNull(node.get())) {
      return List.of();
    }
    if (!(node.get() instanceof SequenceNode list)) {
      throw new IllegalArgumentException(key + " of " + where + " is not a list");
    }
    List<MappingNode> entries = new ArrayList<>();
    for (Node item : list.getValue()) {
      if (item instanceof MappingNode mapping) {
        entries.add(mapping);
      }
    }
    return entries;
  }

  private static List<String> strings(MappingNode container, String key, String where) {
    Optional<Node> node = YamlNodes.get(container, key);
    if (node.isEmpty() || YamlNodes.isNull(node.get())) {
      return List.of();
    }
    if (node.get() instanceof SequenceNode list) {
      List<String> words = new ArrayList<>();
      for (Node item : list.getValue()) {
        if (!(item instanceof ScalarNode scalar)) {
          throw new IllegalArgumentException(key + " of " + where + " is not a list of strings");
        }
        words.add(scalar.getValue());
      }
      return words;
    }
    throw new IllegalArgumentException(key + " of " + where + " is not a list of strings");
  }

  private static void collectScalars(Node node, List<ScalarNode> into) {
    if (node instanceof SequenceNode list) {
      for (Node item : list.getValue()) {
        if (item instanceof ScalarNode scalar) {
          into.add(scalar);
        }
      }
    }
  }

  private static SequenceNode words(
      List<String> words, List<ScalarNode> reusable, DumperOptions.FlowStyle style) {
    List<Node> items = new ArrayList<>();
    for (String word : words) {
      ScalarNode reused = null;
      for (ScalarNode candidate : reusable) {
        if (candidate.getValue().equals(word)) {
          reused = candidate;
          break;
        }
      }
      if (reused != null) {
        reusable.remove(reused);
        items.add(reused);
      } else {
        items.add(YamlNodes.plain(word));
      }
    }
    return YamlNodes.sequence(items, style);
  }

  private static DumperOptions.FlowStyle flowStyleOf(Optional<Node> node) {
    return node.filter(SequenceNode.class::isInstance)
        .map(n -> ((SequenceNode) n).getFlowStyle())
        .orElse(DumperOptions.FlowStyle.BLOCK);
  }

  private static NodeTuple tuple(String key, String value) {
    return new NodeTuple(YamlNodes.plain(key), YamlNodes.plain(value));
  }

  private static String describeImage(MappingNode container) {
    Optional<Node> image = YamlNodes.get(container, "image");
    if (image.isEmpty() || YamlNodes.isNull(image.get())) {
      return "<no image>";
    }
    // {{ .Values.image }} parses as a flow mapping: say so rather than show nothing.
    return YamlNodes.string(image.get()).orElse("<not a string; an unrendered template?>");
  }

  private static String nameOf(MappingNode container) {
    return YamlNodes.string(container, "name").orElse("");
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

  /** The pod template's place in each kind, and the API groups that kind belongs to. */
  private record Workload(List<String> podSpecPath, Set<String> groups) {
    boolean accepts(String apiVersion) {
      if (apiVersion == null) {
        return true;
      }
      int slash = apiVersion.indexOf('/');
      return groups.contains(slash < 0 ? "" : apiVersion.substring(0, slash));
    }
  }

  private static Map<String, Workload> workloads() {
    List<String> template = List.of("spec", "template", "spec");
    Set<String> apps = Set.of("apps", "extensions");
    return Map.of(
        "Pod", new Workload(List.of("spec"), Set.of("")),
        "Deployment", new Workload(template, apps),
        "StatefulSet", new Workload(template, apps),
        "DaemonSet", new Workload(template, apps),
        "ReplicaSet", new Workload(template, apps),
        "ReplicationController", new Workload(template, Set.of("")),
        "Job", new Workload(template, Set.of("batch")),
        "CronJob",
        new Workload(
            List.of("spec", "jobTemplate", "spec", "template", "spec"), Set.of("batch")));
  }

  private static final class Document {
    final int index;
    boolean modified;

    Document(int index) {
      this.index = index;
    }
  }

  private record Workplace(
      Document document, String kind, Optional<String> namespace, String name, String where) {
    RewrittenContainer container(String container, boolean init, String originalImage) {
      return new RewrittenContainer(
          document.index, kind, namespace, name, container, init, originalImage);
    }
  }

  private static final class Run {
    final List<RewrittenContainer> rewritten = new ArrayList<>();
    final List<String> images = new ArrayList<>();
    final Set<String> kinds = new LinkedHashSet<>();
  }
}
