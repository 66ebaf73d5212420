package dev.hotreload.k8s.manifest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds the pod templates in a resource: each workload kind keeps its template at its own path,
 * and lists nest resources. The kind table is what limits a rewrite to workloads, so a custom
 * resource that borrows a workload's kind name in another API group is never touched.
 */
final class WorkloadKinds {
  private static final Map<String, Workload> WORKLOADS = workloads();

  private WorkloadKinds() {}

  /**
   * Hands each pod template in a document's root resource to {@code rewrite}, in document order,
   * as it is found: a later resource may share nodes with an earlier one through YAML aliases, so
   * it must be looked at after the earlier one was rewritten.
   *
   * @param kindsSeen gets every kind met, lists and their items included, for the message that
   *     says why nothing matched
   * @param rewrite rewrites one pod template and says whether it changed anything
   * @return whether any call of {@code rewrite} changed something
   */
  static boolean rewritePodTemplates(
      MappingNode resource,
      int documentIndex,
      Set<String> kindsSeen,
      Predicate<PodTemplate> rewrite) {
    return visitResource(resource, documentIndex, "", null, null, kindsSeen, rewrite);
  }

  private static boolean visitResource(
      MappingNode resource,
      int documentIndex,
      String itemPath,
      String inheritedKind,
      String inheritedApiVersion,
      Set<String> kindsSeen,
      Predicate<PodTemplate> rewrite) {
    String kind = YamlNodes.string(resource, "kind").orElse(inheritedKind);
    String apiVersion = YamlNodes.string(resource, "apiVersion").orElse(inheritedApiVersion);
    if (kind == null) {
      return false;
    }
    kindsSeen.add(kind);
    Optional<SequenceNode> items = YamlNodes.sequence(resource, "items");
    if (kind.endsWith("List") && items.isPresent()) {
      // Items of a typed list (DeploymentList) may leave out kind and apiVersion.
      String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - 4);
      String itemApiVersion = kind.equals("List") ? null : apiVersion;
      List<Node> nodes = items.get().getValue();
      boolean changed = false;
      for (int i = 0; i < nodes.size(); i++) {
        if (nodes.get(i) instanceof MappingNode item) {
          changed |=
              visitResource(
                  item,
                  documentIndex,
                  itemPath + "items[" + i + "].",
                  itemKind,
                  itemApiVersion,
                  kindsSeen,
                  rewrite);
        }
      }
      return changed;
    }
    Workload workload = WORKLOADS.get(kind);
    if (workload == null || !workload.accepts(apiVersion)) {
      return false;
    }
    Optional<MappingNode> podSpec = Optional.of(resource);
    for (String key : workload.podSpecPath()) {
      podSpec = podSpec.flatMap(node -> YamlNodes.mapping(node, key));
    }
    if (podSpec.isEmpty()) {
      return false;
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
            + documentIndex
            + (itemPath.isEmpty() ? "" : ", " + itemPath.substring(0, itemPath.length() - 1))
            + ")";
    return rewrite.test(
        new PodTemplate(podSpec.get(), documentIndex, kind, namespace, name, where));
  }

  /**
   * A workload's pod spec and the workload it belongs to.
   *
   * @param spec the pod spec node, edited in place by a rewrite
   * @param where the workload and its place in the stream, for messages
   */
  record PodTemplate(
      MappingNode spec,
      int documentIndex,
      String kind,
      Optional<String> namespace,
      String name,
      String where) {
    ManifestRewriter.RewrittenContainer container(
        String container, boolean init, String originalImage) {
      return new ManifestRewriter.RewrittenContainer(
          documentIndex, kind, namespace, name, container, init, originalImage);
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
}
