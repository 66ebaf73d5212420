package dev.hotreload.k8s.manifest;

import dev.hotreload.k8s.manifest.ManifestRewriter.RewrittenContainer;
import dev.hotreload.k8s.manifest.WorkloadKinds.PodTemplate;
import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ContainerSpec.EmptyDirMount;
import dev.hotreload.spi.ManifestTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Decides which containers of a pod template run the app being built and rewrites them: an init
 * container gets the built image alone, a container whatever the transformer makes of it.
 */
final class PodRewriter {
  private final ImageMatcher matcher;
  private final ManifestTransformer.Context context;
  private final ManifestTransformer transformer;
  private final String builtRepository;
  private final Optional<String> readinessGate;

  PodRewriter(ImageMatcher matcher, ManifestTransformer.Context context,
      ManifestTransformer transformer, Optional<String> readinessGate) {
    this.matcher = matcher;
    this.context = context;
    this.transformer = transformer;
    this.builtRepository = ImageMatcher.repositoryOf(context.image());
    this.readinessGate = readinessGate;
  }

  /**
   * Rewrites the containers of one pod template that use the built image.
   *
   * @param images gets one line naming every container's image, for the message that says why
   *     nothing matched
   * @param rewritten gets every container that uses the built image
   * @return whether the template's nodes changed
   * @throws IllegalArgumentException if a matched container or the pod is malformed or cannot take
   *     the transformer's changes, or if the transformer refuses a container
   */
  boolean rewrite(PodTemplate pod, List<String> images, List<RewrittenContainer> rewritten) {
    List<MappingNode> containers = YamlNodes.entries(pod.spec(), "containers", pod.where());
    List<MappingNode> initContainers =
        YamlNodes.entries(pod.spec(), "initContainers", pod.where());
    List<String> found = new ArrayList<>();
    for (MappingNode container : initContainers) {
      found.add("init " + ContainerEditor.nameOf(container) + "=" + describeImage(container));
    }
    for (MappingNode container : containers) {
      found.add(ContainerEditor.nameOf(container) + "=" + describeImage(container));
    }
    images.add(
        pod.where() + ": " + (found.isEmpty() ? "no containers" : String.join(", ", found)));

    boolean changed = false;
    for (MappingNode container : initContainers) {
      Optional<String> image = YamlNodes.string(container, "image");
      if (image.isPresent() && usesBuiltImage(image.get())) {
        if (!image.get().equals(context.image())) {
          Node old = YamlNodes.get(container, "image").orElseThrow();
          YamlNodes.put(container, "image", YamlNodes.replacing(old, context.image()));
          changed = true;
        }
        rewritten.add(pod.container(ContainerEditor.nameOf(container), true, image.get()));
      }
    }
    boolean runsTheApp = false;
    for (MappingNode container : containers) {
      Optional<String> image = YamlNodes.string(container, "image");
      if (image.isPresent() && usesBuiltImage(image.get())) {
        changed |= rewriteContainer(pod, container);
        rewritten.add(pod.container(ContainerEditor.nameOf(container), false, image.get()));
        runsTheApp = true;
      }
    }
    if (runsTheApp && readinessGate.isPresent()) {
      changed |= addReadinessGate(pod, readinessGate.get());
    }
    return changed;
  }

  /** Adds {@code readinessGates: [{conditionType: TYPE}]} unless the pod has that gate. */
  private static boolean addReadinessGate(PodTemplate pod, String conditionType) {
    List<MappingNode> gates = YamlNodes.entries(pod.spec(), "readinessGates", pod.where());
    for (MappingNode gate : gates) {
      if (YamlNodes.string(gate, "conditionType").filter(conditionType::equals).isPresent()) {
        return false;
      }
    }
    MappingNode gate = YamlNodes.mapping(DumperOptions.FlowStyle.BLOCK);
    gate.getValue().add(YamlNodes.tuple("conditionType", conditionType));
    Optional<Node> list = YamlNodes.get(pod.spec(), "readinessGates");
    if (list.isPresent() && list.get() instanceof SequenceNode sequence) {
      sequence.getValue().add(gate);
    } else {
      YamlNodes.put(pod.spec(), "readinessGates",
          YamlNodes.sequence(List.of(gate), DumperOptions.FlowStyle.BLOCK));
    }
    return true;
  }

  private boolean usesBuiltImage(String image) {
    return matcher.matches(image)
        || (!image.startsWith("ko://") && ImageMatcher.repositoryOf(image).equals(builtRepository));
  }

  private boolean rewriteContainer(PodTemplate pod, MappingNode container) {
    String where = "container '" + ContainerEditor.nameOf(container) + "' of " + pod.where();
    PodVolumes volumes = PodVolumes.of(pod.spec(), pod.where());
    ContainerSpec before = ContainerEditor.read(container, volumes, where);
    ContainerSpec after;
    try {
      after = transformer.transform(before, context);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(pod.where() + ": " + e.getMessage(), e);
    }
    if (after == null) {
      throw new IllegalStateException(
          transformer.getClass().getName() + " returned null for " + where);
    }
    boolean changed = ContainerEditor.apply(container, before, after);
    for (EmptyDirMount mount : after.emptyDirMounts()) {
      if (!before.emptyDirMounts().contains(mount)) {
        ContainerEditor.addMount(container, mount, where);
        volumes.addEmptyDir(mount.volumeName());
        changed = true;
      }
    }
    return changed;
  }

  private static String describeImage(MappingNode container) {
    Optional<Node> image = YamlNodes.get(container, "image");
    if (image.isEmpty() || YamlNodes.isNull(image.get())) {
      return "<no image>";
    }
    // {{ .Values.image }} parses as a flow mapping: say so rather than show nothing.
    return YamlNodes.string(image.get()).orElse("<not a string; an unrendered template?>");
  }
}
