package dev.hotreload.core.build;

import java.util.ArrayList;
import java.util.List;

/**
 * What of a Go source file decides the shape of its package's build rather than its code: build
 * constraints, the package clause, the imports (cgo's {@code import "C"} among them) and the
 * {@code //go:embed} patterns. Two versions of a file with equal headers compile with the same
 * compiler command; anything else the direct builder leaves to {@code go build}.
 *
 * <p>Read with a small scanner, not {@code go/parser}: it runs in the JVM on every changed file
 * and only has to find where the import block ends.
 */
record GoFileHeader(List<String> constraints, String packageName, List<String> imports,
    List<String> embeds) {

  /**
   * Scans a file's text.
   *
   * @param source the file's text
   * @return its header; a file the scanner cannot follow yields a header with package name
   *     {@code "?"} plus the whole text, so any edit of it counts as a header change
   */
  static GoFileHeader of(String source) {
    List<String> constraints = new ArrayList<>();
    List<String> embeds = new ArrayList<>();
    for (String line : source.split("\n")) {
      String t = line.strip();
      if (t.startsWith("//go:embed")) {
        embeds.add(t);
      }
    }
    Scanner s = new Scanner(source);
    // leading comments: constraints live there
    while (true) {
      s.skipSpace();
      if (s.startsWith("//")) {
        String comment = s.lineComment();
        if (comment.startsWith("//go:build") || comment.startsWith("// +build")) {
          constraints.add(comment.strip());
        }
      } else if (s.startsWith("/*")) {
        s.blockComment();
      } else {
        break;
      }
    }
    if (!s.keyword("package")) {
      return unreadable(source);
    }
    String name = s.identifier();
    List<String> imports = new ArrayList<>();
    while (true) {
      s.skipSpaceAndComments();
      if (s.startsWith(";")) {
        s.pos++;
        continue;
      }
      if (!s.keyword("import")) {
        break;
      }
      s.skipSpaceAndComments();
      if (s.startsWith("(")) {
        s.pos++;
        while (true) {
          s.skipSpaceAndComments();
          if (s.startsWith(")")) {
            s.pos++;
            break;
          }
          if (s.startsWith(";")) {
            s.pos++;
            continue;
          }
          String spec = s.importSpec();
          if (spec == null) {
            return unreadable(source);
          }
          imports.add(spec);
        }
      } else {
        String spec = s.importSpec();
        if (spec == null) {
          return unreadable(source);
        }
        imports.add(spec);
      }
    }
    return new GoFileHeader(List.copyOf(constraints), name, List.copyOf(imports),
        List.copyOf(embeds));
  }

  private static GoFileHeader unreadable(String source) {
    return new GoFileHeader(List.of(), "?", List.of(source), List.of());
  }

  private static final class Scanner {
    private final String s;
    private int pos;

    Scanner(String s) {
      this.s = s;
    }

    boolean startsWith(String prefix) {
      return s.startsWith(prefix, pos);
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    void skipSpaceAndComments() {
      while (true) {
        skipSpace();
        if (startsWith("//")) {
          lineComment();
        } else if (startsWith("/*")) {
          blockComment();
        } else {
          return;
        }
      }
    }

    String lineComment() {
      int end = s.indexOf('\n', pos);
      end = end < 0 ? s.length() : end;
      String comment = s.substring(pos, end);
      pos = end;
      return comment;
    }

    void blockComment() {
      int end = s.indexOf("*/", pos + 2);
      pos = end < 0 ? s.length() : end + 2;
    }

    boolean keyword(String word) {
      skipSpaceAndComments();
      if (startsWith(word) && (pos + word.length() >= s.length()
          || !isIdentifierPart(s.charAt(pos + word.length())))) {
        pos += word.length();
        return true;
      }
      return false;
    }

    String identifier() {
      skipSpaceAndComments();
      int start = pos;
      while (pos < s.length() && isIdentifierPart(s.charAt(pos))) {
        pos++;
      }
      return s.substring(start, pos);
    }

    /** {@code [name|.|_] "path"} or with a raw string; null if it is not one. */
    String importSpec() {
      skipSpaceAndComments();
      String alias = "";
      if (startsWith(".")) {
        alias = ".";
        pos++;
      } else if (pos < s.length() && isIdentifierPart(s.charAt(pos))) {
        alias = identifier();
      }
      skipSpaceAndComments();
      if (startsWith("\"")) {
        int end = s.indexOf('"', pos + 1);
        if (end < 0) {
          return null;
        }
        String path = s.substring(pos + 1, end);
        pos = end + 1;
        return alias.isEmpty() ? path : alias + " " + path;
      }
      if (startsWith("`")) {
        int end = s.indexOf('`', pos + 1);
        if (end < 0) {
          return null;
        }
        String path = s.substring(pos + 1, end);
        pos = end + 1;
        return alias.isEmpty() ? path : alias + " " + path;
      }
      return null;
    }

    private static boolean isIdentifierPart(char c) {
      return Character.isLetterOrDigit(c) || c == '_';
    }
  }
}
