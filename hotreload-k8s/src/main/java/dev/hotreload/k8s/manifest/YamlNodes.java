package dev.hotreload.k8s.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.comments.CommentLine;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads and edits SnakeYAML mappings by key, keeping the comments attached to what it replaces. */
final class YamlNodes {
  private YamlNodes() {}

  static Optional<Node> get(MappingNode mapping, String key) {
    int index = indexOf(mapping, key);
    return index < 0 ? Optional.empty() : Optional.of(mapping.getValue().get(index).getValueNode());
  }

  static Optional<MappingNode> mapping(MappingNode mapping, String key) {
    return get(mapping, key).filter(MappingNode.class::isInstance).map(MappingNode.class::cast);
  }

  static Optional<SequenceNode> sequence(MappingNode mapping, String key) {
    return get(mapping, key).filter(SequenceNode.class::isInstance).map(SequenceNode.class::cast);
  }

  /**
   * The mappings in the list under {@code key}, skipping items that are not mappings; empty when
   * absent or null.
   *
   * @param where what {@code parent} is, for the message
   * @throws IllegalArgumentException if the value is not a list
   */
  static List<MappingNode> entries(MappingNode parent, String key, String where) {
    Optional<Node> node = get(parent, key);
    if (node.isEmpty() || isNull(node.get())) {
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

  /** The text of a scalar value; empty when absent, null or not a scalar. */
  static Optional<String> string(MappingNode mapping, String key) {
    return get(mapping, key).flatMap(YamlNodes::string);
  }

  static Optional<String> string(Node node) {
    if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
      return Optional.of(scalar.getValue());
    }
    return Optional.empty();
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
  }

  static int indexOf(MappingNode mapping, String key) {
    List<NodeTuple> tuples = mapping.getValue();
    for (int i = 0; i < tuples.size(); i++) {
      if (tuples.get(i).getKeyNode() instanceof ScalarNode scalar
          && scalar.getValue().equals(key)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Sets a key's value. An existing key keeps its place and its comments; a new one goes right
   * after the first of {@code after} that exists, else last.
   */
  static void put(MappingNode mapping, String key, Node value, String... after) {
    List<NodeTuple> tuples = mapping.getValue();
    int index = indexOf(mapping, key);
    if (index >= 0) {
      NodeTuple old = tuples.get(index);
      copyComments(old.getValueNode(), value);
      tuples.set(index, new NodeTuple(old.getKeyNode(), value));
      return;
    }
    int position = tuples.size();
    for (String anchor : after) {
      int found = indexOf(mapping, anchor);
      if (found >= 0) {
        position = found + 1;
        break;
      }
    }
    tuples.add(position, new NodeTuple(plain(key), value));
  }

  /**
   * Removes a key. Comments written above it move above {@code heir} if given and present, else
   * above the key that follows, so a removal never drops a comment.
   */
  static void remove(MappingNode mapping, String key, String... heir) {
    List<NodeTuple> tuples = mapping.getValue();
    int index = indexOf(mapping, key);
    if (index < 0) {
      return;
    }
    NodeTuple removed = tuples.remove(index);
    List<CommentLine> above = removed.getKeyNode().getBlockComments();
    if (above == null || above.isEmpty()) {
      return;
    }
    int heirIndex = heir.length == 0 ? -1 : indexOf(mapping, heir[0]);
    if (heirIndex >= 0) {
      Node heirKey = tuples.get(heirIndex).getKeyNode();
      heirKey.setBlockComments(concat(heirKey.getBlockComments(), above));
    } else if (index < tuples.size()) {
      Node next = tuples.get(index).getKeyNode();
      next.setBlockComments(concat(above, next.getBlockComments()));
    } else {
      mapping.setEndComments(concat(above, mapping.getEndComments()));
    }
  }

  /** A new scalar the emitter writes plain when it can, quoted when plain would change it. */
  static ScalarNode plain(String value) {
    return new ScalarNode(Tag.STR, value, null, null, DumperOptions.ScalarStyle.PLAIN);
  }

  /** A string scalar replacing {@code old}: same quoting, same comments. */
  static ScalarNode replacing(Node old, String value) {
    DumperOptions.ScalarStyle style =
        old instanceof ScalarNode scalar && !isNull(old)
            ? scalar.getScalarStyle()
            : DumperOptions.ScalarStyle.PLAIN;
    ScalarNode node = new ScalarNode(Tag.STR, value, null, null, style);
    copyComments(old, node);
    return node;
  }

  static SequenceNode sequence(List<Node> items, DumperOptions.FlowStyle style) {
    return new SequenceNode(Tag.SEQ, new ArrayList<>(items), style);
  }

  static MappingNode mapping(DumperOptions.FlowStyle style) {
    return new MappingNode(Tag.MAP, new ArrayList<>(), style);
  }

  static NodeTuple tuple(String key, String value) {
    return new NodeTuple(plain(key), plain(value));
  }

  static void copyComments(Node from, Node to) {
    if (from == null) {
      return;
    }
    to.setBlockComments(from.getBlockComments());
    to.setInLineComments(from.getInLineComments());
    to.setEndComments(from.getEndComments());
  }

  private static List<CommentLine> concat(List<CommentLine> first, List<CommentLine> second) {
    List<CommentLine> all = first == null ? new ArrayList<>() : new ArrayList<>(first);
    if (second != null) {
      all.addAll(second);
    }
    return all;
  }
}
