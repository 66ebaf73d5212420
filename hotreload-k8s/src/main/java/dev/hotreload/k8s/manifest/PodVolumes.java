package dev.hotreload.k8s.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A pod spec's {@code volumes}, by name. Only {@code emptyDir} volumes matter to a rewrite: they
 * are the mounts a transformer sees and may add, and every container of the pod shares one list.
 */
final class PodVolumes {
  private final MappingNode podSpec;
  private final String where;
  private final Map<String, MappingNode> byName;

  private PodVolumes(MappingNode podSpec, String where, Map<String, MappingNode> byName) {
    this.podSpec = podSpec;
    this.where = where;
    this.byName = byName;
  }

  /**
   * Reads the volumes of a pod spec.
   *
   * @param where the workload, for messages
   * @throws IllegalArgumentException if {@code volumes} is not a list
   */
  static PodVolumes of(MappingNode podSpec, String where) {
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
    return new PodVolumes(podSpec, where, volumes);
  }

  boolean isEmptyDir(String name) {
    return byName.containsKey(name) && YamlNodes.get(byName.get(name), "emptyDir").isPresent();
  }

  /**
   * Adds an {@code emptyDir} volume unless the pod has it already; several matched containers may
   * ask for the same one.
   *
   * @throws IllegalArgumentException if a volume of that name exists and is not an emptyDir
   */
  void addEmptyDir(String name) {
    MappingNode existing = byName.get(name);
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
    NodeTuple nameTuple = YamlNodes.tuple("name", name);
    NodeTuple emptyDir =
        new NodeTuple(
            YamlNodes.plain("emptyDir"), YamlNodes.mapping(DumperOptions.FlowStyle.FLOW));
    volume.getValue().addAll(
        nameLast ? List.of(emptyDir, nameTuple) : List.of(nameTuple, emptyDir));
    list.getValue().add(volume);
    byName.put(name, volume);
  }
}
