package dev.hotreload.k8s.manifest;

import dev.hotreload.spi.ContainerSpec;
import dev.hotreload.spi.ContainerSpec.EmptyDirMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Translates one container's node to the {@link ContainerSpec} a transformer sees, and writes the
 * transformer's answer back into that same node, so that whatever the transformer left alone keeps
 * its key order, quoting and comments.
 */
final class ContainerEditor {
  private ContainerEditor() {}

  static String nameOf(MappingNode container) {
    return YamlNodes.string(container, "name").orElse("");
  }

  /**
   * Reads a container as the transformer sees it.
   *
   * @param volumes the pod's volumes, which tell which mounts are emptyDir ones
   * @param where the container and its workload, for messages
   * @throws IllegalArgumentException if a field the spec needs has the wrong shape
   */
  static ContainerSpec read(MappingNode container, PodVolumes volumes, String where) {
    Map<String, String> env = new LinkedHashMap<>();
    for (MappingNode entry : YamlNodes.entries(container, "env", where)) {
      Optional<String> name = YamlNodes.string(entry, "name");
      if (name.isPresent() && YamlNodes.get(entry, "valueFrom").isEmpty()) {
        env.put(name.get(), YamlNodes.string(entry, "value").orElse(""));
      }
    }
    List<EmptyDirMount> mounts = new ArrayList<>();
    for (MappingNode mount : YamlNodes.entries(container, "volumeMounts", where)) {
      Optional<String> name = YamlNodes.string(mount, "name");
      Optional<String> path = YamlNodes.string(mount, "mountPath");
      if (name.isPresent() && path.isPresent() && volumes.isEmptyDir(name.get())) {
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

  /**
   * Writes the image, working directory, command, args and env of {@code after} where they differ
   * from {@code before}; mounts are left to {@link #addMount}, since each comes with a pod volume.
   *
   * @return whether the node changed
   */
  static boolean apply(MappingNode container, ContainerSpec before, ContainerSpec after) {
    boolean changed = applyScalars(container, before, after);
    changed |= applyCommandAndArgs(container, before, after);
    changed |= applyEnv(container, before, after);
    return changed;
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
      entry.getValue().add(YamlNodes.tuple("name", variable.getKey()));
      entry.getValue().add(YamlNodes.tuple("value", variable.getValue()));
      target.getValue().add(entry);
    }
    return true;
  }

  /**
   * Adds a {@code volumeMounts} entry for a mount the transformer added.
   *
   * @throws IllegalArgumentException if {@code volumeMounts} is not a list or something else is
   *     mounted at that path already
   */
  static void addMount(MappingNode container, EmptyDirMount mount, String where) {
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
    NodeTuple name = YamlNodes.tuple("name", mount.volumeName());
    NodeTuple path = YamlNodes.tuple("mountPath", mount.mountPath());
    entry.getValue().addAll(pathFirst ? List.of(path, name) : List.of(name, path));
    mounts.getValue().add(entry);
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
}
