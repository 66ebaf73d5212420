package dev.hotreload.k8s.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a YAML stream into its documents as text, so that a document the rewrite does not touch
 * goes back out byte for byte: SnakeYAML cannot re-emit text it parsed without normalising it.
 *
 * <p>A line starting with {@code ---} or {@code ...} followed by a blank or the line end is always
 * a document marker: YAML forbids those lines inside any node, quoted or block scalars included,
 * so cutting on them never splits a document.
 */
final class ManifestDocuments {

  /**
   * One document's text, in three parts that concatenate to the original.
   *
   * @param marker the {@code ---} line when it carries nothing but a comment, else empty
   * @param body what SnakeYAML parses
   * @param suffix from a {@code ...} line to the next document, else empty
   * @param bodyLine zero-based line of the body's first character in the whole stream
   * @param hasContent whether the body holds anything but comments and blank lines
   */
  record Chunk(String marker, String body, String suffix, int bodyLine, boolean hasContent) {
    String text() {
      return marker + body + suffix;
    }
  }

  private ManifestDocuments() {}

  static List<Chunk> split(String text) {
    List<String> lines = lines(text);
    List<List<String>> groups = new ArrayList<>();
    List<Integer> firstLines = new ArrayList<>();
    List<String> current = new ArrayList<>();
    int currentFirst = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (isMarker(line, "---") && !current.isEmpty()) {
        groups.add(current);
        firstLines.add(currentFirst);
        current = new ArrayList<>();
        currentFirst = i;
      }
      current.add(line);
    }
    groups.add(current);
    firstLines.add(currentFirst);

    List<Chunk> chunks = new ArrayList<>();
    String pendingDirectives = "";
    int pendingLine = -1;
    for (int g = 0; g < groups.size(); g++) {
      List<String> group = groups.get(g);
      int first = firstLines.get(g);
      // A chunk of nothing but %YAML/%TAG directives belongs to the document it introduces.
      if (g + 1 < groups.size() && onlyDirectivesAndComments(group)) {
        if (pendingLine < 0) {
          pendingLine = first;
        }
        pendingDirectives += String.join("", group);
        continue;
      }
      chunks.add(chunk(group, first, pendingDirectives, pendingLine));
      pendingDirectives = "";
      pendingLine = -1;
    }
    return chunks;
  }

  private static Chunk chunk(List<String> group, int first, String directives, int directiveLine) {
    int start = 0;
    String marker = "";
    if (directives.isEmpty() && !group.isEmpty() && isMarker(group.get(0), "---")
        && markerCarriesOnlyAComment(group.get(0))) {
      marker = group.get(0);
      start = 1;
    }
    int end = group.size();
    for (int i = start; i < group.size(); i++) {
      if (isMarker(group.get(i), "...")) {
        end = i;
        break;
      }
    }
    String body = directives + String.join("", group.subList(start, end));
    String suffix = String.join("", group.subList(end, group.size()));
    int bodyLine = directives.isEmpty() ? first + start : directiveLine;
    boolean hasContent = false;
    for (String line : group.subList(start, end)) {
      String stripped = line.strip();
      if (!stripped.isEmpty() && !stripped.startsWith("#")) {
        hasContent = true;
        break;
      }
    }
    return new Chunk(marker, body, suffix, bodyLine, hasContent);
  }

  private static boolean onlyDirectivesAndComments(List<String> group) {
    boolean directive = false;
    for (String line : group) {
      String stripped = line.strip();
      if (line.startsWith("%")) {
        directive = true;
      } else if (!stripped.isEmpty() && !stripped.startsWith("#")) {
        return false;
      }
    }
    return directive;
  }

  static boolean isMarker(String line, String marker) {
    if (!line.startsWith(marker)) {
      return false;
    }
    if (line.length() == marker.length()) {
      return true;
    }
    char next = line.charAt(marker.length());
    return next == ' ' || next == '\t' || next == '\r' || next == '\n';
  }

  private static boolean markerCarriesOnlyAComment(String line) {
    String rest = line.substring(3).strip();
    return rest.isEmpty() || rest.startsWith("#");
  }

  /** Splits after each line break, keeping the breaks, so that joining gives the text back. */
  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        lines.add(text.substring(start, i + 1));
        start = i + 1;
      } else if (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n')) {
        lines.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }
}
