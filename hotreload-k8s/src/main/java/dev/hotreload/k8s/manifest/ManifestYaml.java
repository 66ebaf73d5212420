package dev.hotreload.k8s.manifest;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.comments.CommentType;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.emitter.Emitter;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.scanner.ScannerImpl;
import org.yaml.snakeyaml.serializer.AnchorGenerator;
import org.yaml.snakeyaml.serializer.Serializer;
import org.yaml.snakeyaml.tokens.CommentToken;
import org.yaml.snakeyaml.tokens.ScalarToken;
import org.yaml.snakeyaml.tokens.TagToken;
import org.yaml.snakeyaml.tokens.Token;

/**
 * Parses one document into SnakeYAML's node tree with its comments, and writes an edited tree
 * back so that it reads like its source: same indentation style, same line breaks, same quoting,
 * comments where they were.
 *
 * <p>SnakeYAML's emitter keeps comments, key order, flow or block style and each scalar's quoting,
 * but left alone it also (a) quotes plain numbers with a leading zero and tags them, {@code
 * defaultMode: !!int '0644'}; (b) writes a comment that stood above a sequence item after the
 * item's dash; (c) puts exactly one space before every end-of-line comment; (d) loses the
 * indentation of some whole-line comments. Each is undone on the emitted text at positions the
 * scanner reports, so text inside scalars is never touched; and the result is used only if it
 * parses to the very tree that was emitted, else SnakeYAML's own text is kept.
 */
final class ManifestYaml {
  private static final Pattern LEADING_ZERO_NUMBER = Pattern.compile("[-+]?0[0-9][0-9_:.eE+-]*");

  private ManifestYaml() {}

  static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setProcessComments(true);
    return options;
  }

  /**
   * Parses one document.
   *
   * @return the root node, or null for a document of nothing but comments
   * @throws YAMLException if the text is not YAML
   */
  static Node compose(String body) {
    // Straight to the composer: a Yaml instance would also build a constructor and a
    // representer, which costs more than parsing a manifest.
    LoaderOptions options = loaderOptions();
    return new Composer(new ParserImpl(new StreamReader(body), options), new Resolver(), options)
        .getSingleNode();
  }

  /**
   * Writes an edited document: its original text with only what the edit changed spliced in
   * ({@link ManifestSplice}), or where that cannot be placed, re-emitted in the style of its
   * original text. Either way the text is used only if it parses to the edited tree.
   *
   * @param root the edited tree
   * @param original the tree as parsed from {@code originalBody}, before the edit
   * @param originalBody the document's source text
   */
  static String emit(Node root, Node original, String originalBody) {
    // The splice renders pieces, never a document: no "---" in front of them.
    Optional<String> spliced = ManifestSplice.splice(originalBody, original, root,
        dumperOptions(originalBody, false));
    // The splice keeps the source's key order where the edit moved a key: same meaning.
    if (spliced.isPresent() && sameTreeInAnyKeyOrder(spliced.get(), root)) {
      return spliced.get();
    }
    return emit(root, originalBody);
  }

  /** Writes an edited document in the style of its original text. */
  static String emit(Node root, String originalBody) {
    List<String> originalLines = ManifestDocuments.lines(originalBody);
    StringBuilder directives = new StringBuilder();
    for (String line : originalLines) {
      if (!line.startsWith("%")) {
        break;
      }
      directives.append(line);
    }
    boolean explicitStart =
        originalLines.stream().anyMatch(line -> ManifestDocuments.isMarker(line, "---"));

    String emitted = serialize(root, dumperOptions(originalBody, explicitStart));
    String polished = polish(emitted, originalBody);
    String text = polished.equals(emitted) || sameTree(polished, root) ? polished : emitted;
    if (!endsWithLineBreak(originalBody) && endsWithLineBreak(text)) {
      text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
    }
    return directives + text;
  }

  static String serialize(Node root, DumperOptions options) {
    StringWriter out = new StringWriter();
    Serializer serializer =
        new Serializer(new Emitter(out, options), new Resolver(), options, null);
    try {
      serializer.open();
      serializer.serialize(root);
      serializer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    return out.toString();
  }

  static DumperOptions dumperOptions(String originalBody, boolean explicitStart) {
    DumperOptions options = new DumperOptions();
    options.setProcessComments(true);
    options.setExplicitStart(explicitStart);
    // Folding long lines would rewrite scalars the edit never touched.
    options.setWidth(Integer.MAX_VALUE);
    options.setSplitLines(false);
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setAllowUnicode(true);
    options.setLineBreak(
        originalBody.contains("\r\n") ? DumperOptions.LineBreak.WIN : DumperOptions.LineBreak.UNIX);
    options.setAnchorGenerator(new KeepAnchorNames());
    IndentStyle style = IndentStyle.of(originalBody);
    options.setIndent(style.indent());
    if (style.sequenceIndent() > 0) {
      options.setIndicatorIndent(Math.min(style.sequenceIndent(), style.indent()));
      options.setIndentWithIndicator(true);
    }
    return options;
  }

  /**
   * How the source indents: the step of a nested mapping, and how far a block sequence's dash
   * sits inside its key ({@code 0} for kubectl's {@code containers:\n- name: app}).
   */
  record IndentStyle(int indent, int sequenceIndent) {
    static IndentStyle of(String text) {
      int indent = Integer.MAX_VALUE;
      int sequenceIndent = -1;
      List<String> lines = new ArrayList<>();
      for (String line : ManifestDocuments.lines(text)) {
        String stripped = line.strip();
        if (!stripped.isEmpty() && !stripped.startsWith("#")) {
          // Only a guess at style, so cutting at " #" even inside a quoted string does no harm.
          int comment = line.indexOf(" #");
          lines.add((comment >= 0 ? line.substring(0, comment) : line).stripTrailing());
        }
      }
      for (int i = 0; i + 1 < lines.size(); i++) {
        String line = lines.get(i);
        String next = lines.get(i + 1);
        if (!line.endsWith(":") || line.strip().startsWith("- ")) {
          continue;
        }
        int here = leadingSpaces(line);
        int there = leadingSpaces(next);
        if (next.startsWith("- ", there) || next.equals(" ".repeat(there) + "-")) {
          if (sequenceIndent < 0 && there >= here) {
            sequenceIndent = there - here;
          }
        } else if (there > here) {
          indent = Math.min(indent, there - here);
        }
      }
      int step = indent == Integer.MAX_VALUE ? 2 : Math.max(2, Math.min(indent, 9));
      return new IndentStyle(step, Math.max(sequenceIndent, 0));
    }

    private static int leadingSpaces(String line) {
      int n = 0;
      while (n < line.length() && line.charAt(n) == ' ') {
        n++;
      }
      return n;
    }
  }

  /** A replacement of columns [from, to) on one line; columns count code points, as marks do. */
  private record Edit(int line, int from, int to, String replacement) {}

  /** A comment as the scanner saw it. */
  private record Comment(
      int line, int column, String value, boolean standalone, boolean afterDash) {}

  /** What the scanner found in a text that the polish needs. */
  private static final class Scan {
    final List<Comment> comments = new ArrayList<>();
    final List<Edit> taggedNumbers = new ArrayList<>();

    static Scan of(String text, List<String> lines) {
      Scan scan = new Scan();
      ScannerImpl scanner = new ScannerImpl(new StreamReader(text), loaderOptions());
      Token previous = null;
      TagToken pendingTag = null;
      while (!scanner.checkToken(Token.ID.StreamEnd)) {
        Token token = scanner.getToken();
        if (token instanceof CommentToken comment) {
          if (comment.getCommentType() != CommentType.BLANK_LINE) {
            scan.addComment(comment, previous, lines);
          }
          continue;
        }
        if (token instanceof ScalarToken scalar && pendingTag != null) {
          scan.addTaggedNumber(pendingTag, scalar);
        }
        pendingTag =
            token instanceof TagToken tag
                    && "!!".equals(tag.getValue().getHandle())
                    && ("int".equals(tag.getValue().getSuffix())
                        || "float".equals(tag.getValue().getSuffix()))
                ? tag
                : null;
        previous = token;
      }
      return scan;
    }

    private void addComment(CommentToken comment, Token previous, List<String> lines) {
      int line = comment.getStartMark().getLine();
      int column = comment.getStartMark().getColumn();
      if (line >= lines.size()) {
        return;
      }
      String text = lines.get(line);
      int hash = offset(text, column);
      if (hash >= text.length() || text.charAt(hash) != '#') {
        return;
      }
      boolean standalone = text.substring(0, hash).isBlank();
      boolean afterDash =
          previous != null
              && previous.getTokenId() == Token.ID.BlockEntry
              && previous.getEndMark().getLine() == line;
      comments.add(new Comment(line, column, comment.getValue(), standalone, afterDash));
    }

    // The emitter writes a plain 0644 as !!int '0644'; plain again, it means the same int.
    private void addTaggedNumber(TagToken tag, ScalarToken scalar) {
      if (scalar.getStyle() == DumperOptions.ScalarStyle.SINGLE_QUOTED
          && LEADING_ZERO_NUMBER.matcher(scalar.getValue()).matches()
          && tag.getStartMark().getLine() == scalar.getEndMark().getLine()) {
        taggedNumbers.add(
            new Edit(
                tag.getStartMark().getLine(),
                tag.getStartMark().getColumn(),
                scalar.getEndMark().getColumn(),
                scalar.getValue()));
      }
    }
  }

  private static String polish(String emitted, String originalBody) {
    List<String> lines = new ArrayList<>(ManifestDocuments.lines(emitted));
    List<String> originalLines = ManifestDocuments.lines(originalBody);
    Scan scan;
    Scan original;
    try {
      scan = Scan.of(emitted, lines);
      original = Scan.of(originalBody, originalLines);
    } catch (YAMLException e) {
      return emitted;
    }
    List<Edit> edits = new ArrayList<>(scan.taggedNumbers);

    // The emitter keeps comments in order, so walking both lists together pairs each emitted
    // comment with its source, skipping any the edit removed.
    List<Comment> sourceEnds = new ArrayList<>();
    List<Comment> sourceLines = new ArrayList<>();
    for (Comment comment : original.comments) {
      (comment.standalone() ? sourceLines : sourceEnds).add(comment);
    }
    int nextEnd = 0;
    int nextLine = 0;
    for (Comment comment : scan.comments) {
      String line = lines.get(comment.line());
      int hash = offset(line, comment.column());
      if (comment.standalone() || comment.afterDash()) {
        int match = find(sourceLines, nextLine, comment.value());
        int indent = comment.afterDash() ? dashColumn(line) : hash;
        if (match >= 0) {
          nextLine = match + 1;
          indent = sourceLines.get(match).column();
        }
        if (comment.afterDash()) {
          moveAboveItem(lines, comment, indent, edits);
        } else if (indent != comment.column()) {
          edits.add(new Edit(comment.line(), 0, comment.column(), " ".repeat(indent)));
        }
      } else {
        int match = find(sourceEnds, nextEnd, comment.value());
        if (match < 0) {
          continue;
        }
        nextEnd = match + 1;
        Comment source = sourceEnds.get(match);
        int gap = gapBefore(originalLines.get(source.line()), source.column());
        int emittedGap = gapBefore(line, comment.column());
        if (gap > 0 && emittedGap > 0 && gap != emittedGap) {
          edits.add(
              new Edit(comment.line(), comment.column() - emittedGap, comment.column(),
                  " ".repeat(gap)));
        }
      }
    }
    return apply(lines, edits);
  }

  /**
   * Turns {@code - # comment} followed by the item's first line into the comment on its own line
   * and the dash in front of the item, when the item's line leaves room for the dash.
   */
  private static void moveAboveItem(List<String> lines, Comment comment, int indent,
      List<Edit> edits) {
    String dashLine = lines.get(comment.line());
    int dash = dashColumn(dashLine);
    int item = comment.line() + 1;
    while (item < lines.size()
        && (lines.get(item).isBlank() || lines.get(item).strip().startsWith("#"))) {
      item++;
    }
    if (dash < 0 || item >= lines.size()) {
      return;
    }
    String itemLine = lines.get(item);
    if (itemLine.length() <= dash + 2
        || !itemLine.substring(0, dash + 2).isBlank()
        || itemLine.charAt(dash + 2) == ' '
        || itemLine.charAt(dash + 2) == '\t') {
      return;
    }
    edits.add(new Edit(comment.line(), 0, comment.column(), " ".repeat(indent)));
    edits.add(new Edit(item, dash, dash + 1, "-"));
  }

  private static int dashColumn(String line) {
    int dash = line.indexOf('-');
    return dash >= 0 && line.substring(0, dash).isBlank() ? dash : -1;
  }

  private static int find(List<Comment> comments, int from, String value) {
    for (int i = from; i < comments.size(); i++) {
      if (comments.get(i).value().equals(value)) {
        return i;
      }
    }
    return -1;
  }

  private static int gapBefore(String line, int codePointColumn) {
    int hash = offset(line, codePointColumn);
    int start = hash;
    while (start > 0 && (line.charAt(start - 1) == ' ' || line.charAt(start - 1) == '\t')) {
      start--;
    }
    return line.codePointCount(start, hash);
  }

  private static String apply(List<String> lines, List<Edit> edits) {
    // Right to left within a line, so earlier columns stay valid.
    edits.sort(
        Comparator.comparingInt(Edit::line)
            .thenComparing(Edit::from, Comparator.reverseOrder()));
    for (Edit edit : edits) {
      String line = lines.get(edit.line());
      int from = offset(line, edit.from());
      int to = offset(line, edit.to());
      lines.set(edit.line(), line.substring(0, from) + edit.replacement() + line.substring(to));
    }
    return String.join("", lines);
  }

  // Marks count code points; Java strings index UTF-16 units.
  private static int offset(String line, int codePointColumn) {
    try {
      return line.offsetByCodePoints(0, codePointColumn);
    } catch (IndexOutOfBoundsException e) {
      return line.length();
    }
  }

  private static boolean sameTreeInAnyKeyOrder(String text, Node expected) {
    try {
      return same(compose(text), expected, new IdentityHashMap<>(), true);
    } catch (YAMLException e) {
      return false;
    }
  }

  private static boolean sameTree(String text, Node expected) {
    try {
      return same(compose(text), expected, new IdentityHashMap<>(), false);
    } catch (YAMLException e) {
      return false;
    }
  }

  /** Equal trees; {@code anyKeyOrder}: mappings equal by key whatever their order. */
  private static boolean same(Node actual, Node expected, Map<Node, Node> seen,
      boolean anyKeyOrder) {
    if (actual == null || expected == null) {
      return actual == expected;
    }
    // Anchored nodes appear once per alias; compare each pairing once.
    Node pairedWith = seen.putIfAbsent(expected, actual);
    if (pairedWith != null) {
      return pairedWith == actual;
    }
    if (!actual.getTag().equals(expected.getTag())) {
      return false;
    }
    if (expected instanceof ScalarNode e) {
      return actual instanceof ScalarNode a && a.getValue().equals(e.getValue());
    }
    if (expected instanceof SequenceNode e) {
      if (!(actual instanceof SequenceNode a) || a.getValue().size() != e.getValue().size()) {
        return false;
      }
      for (int i = 0; i < e.getValue().size(); i++) {
        if (!same(a.getValue().get(i), e.getValue().get(i), seen, anyKeyOrder)) {
          return false;
        }
      }
      return true;
    }
    if (!(expected instanceof MappingNode e) || !(actual instanceof MappingNode a)
        || a.getValue().size() != e.getValue().size()) {
      return false;
    }
    if (anyKeyOrder) {
      Map<String, Node> values = new HashMap<>();
      for (NodeTuple tuple : a.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          return false;
        }
        values.put(key.getValue(), tuple.getValueNode());
      }
      for (NodeTuple tuple : e.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)
            || !same(values.get(key.getValue()), tuple.getValueNode(), seen, true)) {
          return false;
        }
      }
      return values.size() == e.getValue().size();
    }
    for (int i = 0; i < e.getValue().size(); i++) {
      NodeTuple at = a.getValue().get(i);
      NodeTuple et = e.getValue().get(i);
      if (!same(at.getKeyNode(), et.getKeyNode(), seen, false)
          || !same(at.getValueNode(), et.getValueNode(), seen, false)) {
        return false;
      }
    }
    return true;
  }

  private static boolean endsWithLineBreak(String text) {
    return text.endsWith("\n") || text.endsWith("\r");
  }

  /** Re-emits anchors under their source names instead of SnakeYAML's {@code id001}. */
  private static final class KeepAnchorNames implements AnchorGenerator {
    private int next;

    @Override
    public String nextAnchor(Node node) {
      if (node.getAnchor() != null) {
        return node.getAnchor();
      }
      next++;
      return String.format("id%03d", next);
    }
  }
}
