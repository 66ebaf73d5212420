package dev.hotreload.k8s.manifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Writes an edited document by changing only the source text of what the edit changed: a
 * replaced scalar's characters, an added key's or sequence item's lines (rendered in the
 * document's indentation style and inserted after their predecessor), a removed key's lines, a
 * replaced key's lines. Every other byte stays as it was — blank lines between items, both
 * sequence indentations in one file, multi-line flow collections, trailing spaces, comments.
 *
 * <p>A change it cannot place (an item inserted mid-sequence, a key added before the first of a
 * sequence item's keys, an edited flow collection's inside, anchors) makes it give up, and the
 * caller re-emits the whole document instead.
 */
final class ManifestSplice {
  private final String body;
  private final int[] lineStarts;
  private final DumperOptions options;
  private final List<Edit> edits = new ArrayList<>();

  /**
   * Characters [from, to) of the body become {@code text}. Of two insertions at one offset the
   * deeper one (a container's new key) goes first, before its parent's (the pod's new key).
   */
  private record Edit(int from, int to, String text, int depth, int order) {}

  private int depth;
  /** Counts edits across nested splices: of two insertions at one place the first made is first. */
  private int[] made = {0};

  /** Thrown inside the walk when a change cannot be placed. */
  private static final class CannotSplice extends RuntimeException {
    CannotSplice(String why) {
      super(why, null, false, false);
    }
  }

  private ManifestSplice(String body, DumperOptions options) {
    this.body = body;
    this.options = options;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < body.length(); i++) {
      if (body.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The body with the differences between two trees of it spliced in.
   *
   * @param body the document's source text
   * @param original its tree as parsed, with marks into {@code body}
   * @param edited the same tree after the edit
   * @param options the document's emitter options without an explicit start, for rendering
   *     what is new
   * @return the new text, or empty when a change could not be placed
   */
  static Optional<String> splice(String body, Node original, Node edited,
      DumperOptions options) {
    ManifestSplice splice = new ManifestSplice(body, options);
    try {
      splice.node(original, edited);
    } catch (RuntimeException e) {
      // CannotSplice, or anything the emitter refused: the caller re-emits the document
      return Optional.empty();
    }
    return Optional.of(splice.apply());
  }

  private void node(Node original, Node edited) {
    if (same(original, edited)) {
      return;
    }
    depth++;
    try {
      changed(original, edited);
    } finally {
      depth--;
    }
  }

  private void changed(Node original, Node edited) {
    if (original.getAnchor() != null || edited.getAnchor() != null) {
      throw new CannotSplice("anchored node changed");
    }
    if (original instanceof ScalarNode o && edited instanceof ScalarNode e) {
      scalar(o, e);
    } else if (original instanceof MappingNode o && edited instanceof MappingNode e
        && o.getFlowStyle() == DumperOptions.FlowStyle.BLOCK && !o.getValue().isEmpty()) {
      mapping(o, e);
    } else if (original instanceof SequenceNode o && edited instanceof SequenceNode e
        && o.getFlowStyle() == DumperOptions.FlowStyle.BLOCK && !o.getValue().isEmpty()) {
      sequence(o, e);
    } else {
      throw new CannotSplice("a " + original.getNodeId() + " became a " + edited.getNodeId());
    }
  }

  private void scalar(ScalarNode original, ScalarNode edited) {
    int from = offset(original.getStartMark());
    int to = offset(original.getEndMark());
    if (original.getStartMark().getLine() != original.getEndMark().getLine()) {
      throw new CannotSplice("multi-line scalar changed");
    }
    String text = render(edited).strip();
    if (text.contains("\n")) {
      throw new CannotSplice("scalar renders on several lines");
    }
    edits.add(new Edit(from, to, text, depth, made[0]++));
  }

  private void mapping(MappingNode original, MappingNode edited) {
    Map<String, NodeTuple> before = new HashMap<>();
    for (NodeTuple tuple : original.getValue()) {
      before.put(key(tuple), tuple);
    }
    Map<String, NodeTuple> after = new HashMap<>();
    for (NodeTuple tuple : edited.getValue()) {
      after.put(key(tuple), tuple);
    }
    int keyColumn = original.getValue().get(0).getKeyNode().getStartMark().getColumn();
    Map<String, NodeTuple> renamed = renames(original, before, after, edited);
    for (NodeTuple tuple : original.getValue()) {
      NodeTuple kept = after.get(key(tuple));
      NodeTuple heir = renamed.get(key(tuple));
      if (heir != null) {
        rename(tuple, heir);
      } else if (kept == null) {
        edits.add(new Edit(lineStartOf(tuple), contentEnd(tuple), "", depth, made[0]++));
      } else if (!same(tuple.getValueNode(), kept.getValueNode())) {
        try {
          ManifestSplice inner = new ManifestSplice(body, options);
          inner.depth = depth;
          inner.made = made;
          inner.node(tuple.getValueNode(), kept.getValueNode());
          edits.addAll(inner.edits);
        } catch (CannotSplice e) {
          edits.add(new Edit(lineStartOf(tuple), contentEnd(tuple), renderAt(kept, keyColumn),
              depth, made[0]++));
        }
      }
    }
    NodeTuple predecessor = null;
    for (NodeTuple tuple : edited.getValue()) {
      NodeTuple source = before.get(key(tuple));
      if (renamed.containsValue(tuple)) {
        continue;
      }
      if (source != null) {
        predecessor = source;
        continue;
      }
      int next = predecessor == null ? -1 : original.getValue().indexOf(predecessor) + 1;
      if (next > 0 && next < original.getValue().size()
          && !after.containsKey(key(original.getValue().get(next)))) {
        // in the place of the removed key that followed: its comments stay above, where the
        // edit moved them (args into command)
        int at = lineStartOf(original.getValue().get(next));
        edits.add(new Edit(at, at, renderAt(tuple, keyColumn), depth, made[0]++));
      } else if (predecessor == null) {
        edits.add(new Edit(lineStartOf(original.getValue().get(0)),
            lineStartOf(original.getValue().get(0)), renderAt(tuple, keyColumn), depth, made[0]++));
      } else {
        insert(contentEnd(predecessor), renderAt(tuple, keyColumn));
      }
    }
  }

  /**
   * Removed keys whose block sequence lives on, with items put in front, under a new key (the
   * app's args become the tail of the command that starts the agent): renamed in place, so the
   * items and the comments between them stay as they were.
   */
  private static Map<String, NodeTuple> renames(MappingNode original,
      Map<String, NodeTuple> before, Map<String, NodeTuple> after, MappingNode edited) {
    Map<String, NodeTuple> renamed = new HashMap<>();
    for (NodeTuple gone : original.getValue()) {
      if (after.containsKey(key(gone))
          || !(gone.getValueNode() instanceof SequenceNode old)
          || old.getFlowStyle() != DumperOptions.FlowStyle.BLOCK || old.getValue().isEmpty()) {
        continue;
      }
      for (NodeTuple added : edited.getValue()) {
        if (!before.containsKey(key(added)) && !renamed.containsValue(added)
            && added.getValueNode() instanceof SequenceNode now
            && now.getValue().size() >= old.getValue().size()
            && sameItems(old.getValue(), now.getValue().subList(
                now.getValue().size() - old.getValue().size(), now.getValue().size()))) {
          renamed.put(key(gone), added);
          break;
        }
      }
    }
    return renamed;
  }

  private void rename(NodeTuple gone, NodeTuple heir) {
    Node key = gone.getKeyNode();
    edits.add(new Edit(offset(key.getStartMark()), offset(key.getEndMark()),
        render(heir.getKeyNode()).strip(), depth, made[0]++));
    SequenceNode old = (SequenceNode) gone.getValueNode();
    SequenceNode now = (SequenceNode) heir.getValueNode();
    int added = now.getValue().size() - old.getValue().size();
    if (added > 0) {
      int at = lineStarts[old.getValue().get(0).getStartMark().getLine()];
      edits.add(new Edit(at, at, indent(render(itemsOf(old, now.getValue().subList(0, added))),
          dashColumn(old.getValue().get(0))), depth, made[0]++));
    }
  }

  private void sequence(SequenceNode original, SequenceNode edited) {
    List<Node> before = original.getValue();
    List<Node> after = edited.getValue();
    int added = after.size() - before.size();
    if (added < 0) {
      throw new CannotSplice("sequence items removed");
    }
    int dash = dashColumn(before.get(0));
    if (added > 0 && sameItems(before, after.subList(added, after.size()))) {
      // items put in front, like the agent's command before the app's
      int at = lineStarts[before.get(0).getStartMark().getLine()];
      edits.add(new Edit(at, at, indent(render(itemsOf(original, after.subList(0, added))),
          dash), depth, made[0]++));
      return;
    }
    for (int i = 0; i < before.size(); i++) {
      node(before.get(i), after.get(i));
    }
    if (added > 0) {
      insert(contentEnd(before.get(before.size() - 1).getEndMark()),
          indent(render(itemsOf(original, after.subList(before.size(), after.size()))), dash));
    }
  }

  private static SequenceNode itemsOf(SequenceNode original, List<Node> items) {
    return new SequenceNode(original.getTag(), items, DumperOptions.FlowStyle.BLOCK);
  }

  private static boolean sameItems(List<Node> a, List<Node> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!same(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** An insertion; at the end of a body without a final line break, it starts with one. */
  private void insert(int at, String text) {
    if (at == body.length() && !body.isEmpty() && !body.endsWith("\n")) {
      String lineBreak = options.getLineBreak().getString();
      text = lineBreak + text.substring(0, text.length() - lineBreak.length());
    }
    edits.add(new Edit(at, at, text, depth, made[0]++));
  }

  /** The column of the dash in front of a block sequence's item. */
  private int dashColumn(Node item) {
    Mark start = item.getStartMark();
    int lineStart = lineStarts[start.getLine()];
    String line = body.substring(lineStart, offset(start));
    int dash = line.lastIndexOf('-');
    if (dash < 0 || !line.substring(0, dash).isBlank()) {
      throw new CannotSplice("no dash before the first item");
    }
    return line.codePointCount(0, dash);
  }

  private String renderAt(NodeTuple tuple, int column) {
    MappingNode single = new MappingNode(Tag.MAP,
        List.of(tuple), DumperOptions.FlowStyle.BLOCK);
    return indent(render(single), column);
  }

  /** Moves rendered lines to a column: the emitter may indent a top-level sequence's dashes. */
  private String indent(String text, int column) {
    String lineBreak = options.getLineBreak().getString();
    List<String> lines = new ArrayList<>();
    int common = Integer.MAX_VALUE;
    for (String line : text.split("\r?\n", -1)) {
      if (!line.isBlank()) {
        lines.add(line);
        common = Math.min(common, line.length() - line.stripLeading().length());
      }
    }
    String pad = " ".repeat(column);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(pad).append(line.substring(common)).append(lineBreak);
    }
    return out.toString();
  }

  private String render(Node node) {
    return ManifestYaml.serialize(withoutComments(node), options);
  }

  /**
   * A copy without comments: the serializer emits a node's comments whatever the options say,
   * and a rendered piece keeps its comments in the source text it replaces or goes without.
   */
  private static Node withoutComments(Node node) {
    if (node instanceof ScalarNode scalar) {
      return new ScalarNode(scalar.getTag(), scalar.getValue(), null, null,
          scalar.getScalarStyle());
    }
    if (node instanceof SequenceNode sequence) {
      return new SequenceNode(sequence.getTag(),
          sequence.getValue().stream().map(ManifestSplice::withoutComments).toList(),
          sequence.getFlowStyle());
    }
    if (node instanceof MappingNode mapping) {
      return new MappingNode(mapping.getTag(), mapping.getValue().stream()
          .map(t -> new NodeTuple(withoutComments(t.getKeyNode()),
              withoutComments(t.getValueNode())))
          .toList(), mapping.getFlowStyle());
    }
    throw new CannotSplice("an alias");
  }

  /** Where a key's line starts, when only indentation stands before the key. */
  private int lineStartOf(NodeTuple tuple) {
    Mark key = tuple.getKeyNode().getStartMark();
    int lineStart = lineStarts[key.getLine()];
    if (!body.substring(lineStart, offset(key)).isBlank()) {
      throw new CannotSplice("the key shares its line with a dash");
    }
    return lineStart;
  }

  private int contentEnd(NodeTuple tuple) {
    return contentEnd(tuple.getValueNode().getEndMark());
  }

  /**
   * The start of the line after the last line with content at or before {@code end}: a block
   * node's end mark lies past trailing blank lines and comments, which stay where they are.
   */
  private int contentEnd(Mark end) {
    int at = Math.min(offset(end), body.length());
    int line = lineOf(at);
    if (body.substring(lineStarts[line], at).isBlank()) {
      // a block collection ends where the next token starts, indented on a later line
      line--;
    }
    while (line > 0 && isBlankOrComment(line)) {
      line--;
    }
    return line + 1 < lineStarts.length ? lineStarts[line + 1] : body.length();
  }

  private boolean isBlankOrComment(int line) {
    int start = lineStarts[line];
    int end = line + 1 < lineStarts.length ? lineStarts[line + 1] : body.length();
    String text = body.substring(start, end).strip();
    return text.isEmpty() || text.startsWith("#");
  }

  private int lineOf(int offset) {
    int line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) {
      line++;
    }
    return line;
  }

  private int offset(Mark mark) {
    if (mark.getLine() >= lineStarts.length) {
      return body.length();
    }
    int lineStart = lineStarts[mark.getLine()];
    try {
      return body.offsetByCodePoints(lineStart, mark.getColumn());
    } catch (IndexOutOfBoundsException e) {
      return body.length();
    }
  }

  private String apply() {
    List<Edit> sorted = new ArrayList<>(edits);
    // right to left; at one offset, later insertions after earlier ones
    sorted.sort(Comparator.comparingInt(Edit::from).thenComparingInt(Edit::to).reversed()
        .thenComparingInt(Edit::depth).thenComparing(Edit::order, Comparator.reverseOrder()));
    StringBuilder out = new StringBuilder(body);
    int floor = Integer.MAX_VALUE;
    for (Edit edit : sorted) {
      if (edit.to() > floor) {
        throw new IllegalArgumentException("overlapping edits");
      }
      out.replace(edit.from(), edit.to(), edit.text());
      floor = edit.from();
    }
    return out.toString();
  }

  private static String key(NodeTuple tuple) {
    if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
      throw new CannotSplice("a key that is not a scalar");
    }
    return key.getValue();
  }

  private static boolean same(Node a, Node b) {
    return same(a, b, new IdentityHashMap<>());
  }

  private static boolean same(Node a, Node b, Map<Node, Node> seen) {
    if (a == b) {
      return true;
    }
    Node paired = seen.putIfAbsent(a, b);
    if (paired != null) {
      return paired == b;
    }
    if (!a.getTag().equals(b.getTag()) || a.getNodeId() != b.getNodeId()) {
      return false;
    }
    if (a instanceof ScalarNode sa) {
      ScalarNode sb = (ScalarNode) b;
      return sa.getValue().equals(sb.getValue())
          && Objects.equals(sa.getScalarStyle(), sb.getScalarStyle());
    }
    if (a instanceof SequenceNode sa) {
      List<Node> x = sa.getValue();
      List<Node> y = ((SequenceNode) b).getValue();
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i), seen)) {
          return false;
        }
      }
      return true;
    }
    List<NodeTuple> x = ((MappingNode) a).getValue();
    List<NodeTuple> y = ((MappingNode) b).getValue();
    if (x.size() != y.size()) {
      return false;
    }
    for (int i = 0; i < x.size(); i++) {
      if (!same(x.get(i).getKeyNode(), y.get(i).getKeyNode(), seen)
          || !same(x.get(i).getValueNode(), y.get(i).getValueNode(), seen)) {
        return false;
      }
    }
    return true;
  }
}
