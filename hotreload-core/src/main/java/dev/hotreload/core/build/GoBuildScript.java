package dev.hotreload.core.build;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shell script that {@code go build -n} prints, read back into its actions: for every package
 * the directory its compiler runs in, the compiler's arguments and the files written for it
 * (importcfg, embedcfg), and the link with its importcfg. Paths under the go command's work
 * directory stay as {@code $WORK}; the caller substitutes its own.
 *
 * <p>Only what a pure-Go build prints is understood: a package with any other tool (asm, cgo,
 * pack, …) is marked {@link PackageAction#onlyCompile() not compile-only}, so the direct builder
 * leaves it to {@code go build}.
 */
final class GoBuildScript {
  static final String WORK = "$WORK";

  /** One package's compile, in the script's order (dependencies first). */
  record PackageAction(
      String importPath,
      String directory,
      Map<String, String> env,
      String tool,
      List<String> args,
      Map<String, String> files,
      boolean onlyCompile) {

    /** The value after a flag like {@code -o}, if the compile has it. */
    Optional<String> flag(String name) {
      int i = args.indexOf(name);
      return i >= 0 && i + 1 < args.size() ? Optional.of(args.get(i + 1)) : Optional.empty();
    }
  }

  /** The link: its tool, arguments and importcfg.link text. */
  record LinkAction(
      String directory, Map<String, String> env, String tool, List<String> args,
      String importcfg) {}

  private final Map<String, PackageAction> packages;
  private final Optional<LinkAction> link;

  private GoBuildScript(Map<String, PackageAction> packages, Optional<LinkAction> link) {
    this.packages = packages;
    this.link = link;
  }

  /** Packages by import path, dependencies before their dependents. */
  Map<String, PackageAction> packages() {
    return packages;
  }

  Optional<LinkAction> link() {
    return link;
  }

  /**
   * Reads a script.
   *
   * @param script what {@code go build -n} wrote to stderr
   * @return its actions
   * @throws IllegalArgumentException if a line the direct builder relies on cannot be read
   */
  static GoBuildScript parse(String script) {
    Map<String, PackageAction> packages = new LinkedHashMap<>();
    LinkAction link = null;
    String[] lines = script.split("\n", -1);
    String importPath = null;
    String directory = ".";
    Map<String, String> files = new LinkedHashMap<>();
    boolean onlyCompile = true;
    PackageAction compile = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.equals("#") && i + 2 < lines.length && lines[i + 1].startsWith("# ")
          && lines[i + 2].equals("#")) {
        if (importPath != null && compile != null) {
          packages.put(importPath, withFlag(compile, onlyCompile));
        }
        importPath = lines[i + 1].substring(2);
        files = new LinkedHashMap<>();
        onlyCompile = true;
        compile = null;
        i += 2;
        continue;
      }
      if (line.startsWith("cat >") && line.contains(" << 'EOF'")) {
        String target = line.substring("cat >".length(), line.indexOf(" << 'EOF'"));
        StringBuilder text = new StringBuilder();
        i++;
        while (i < lines.length && !lines[i].endsWith("EOF")) {
          text.append(lines[i]).append('\n');
          i++;
        }
        if (i < lines.length) {
          text.append(lines[i], 0, lines[i].length() - "EOF".length());
        }
        files.put(target, text.toString());
        continue;
      }
      if (line.startsWith("echo ") && line.endsWith(" # internal") && line.contains(" > ")) {
        // a small file written in one line, like an importcfg without imports
        List<String> words = words(line.substring(0, line.length() - " # internal".length()));
        int arrow = words.indexOf(">");
        if (arrow > 0 && arrow == words.size() - 2) {
          boolean noNewline = words.size() > 1 && words.get(1).equals("-n");
          String text = String.join(" ", words.subList(noNewline ? 2 : 1, arrow));
          files.put(words.get(arrow + 1), noNewline ? text : text + "\n");
          continue;
        }
      }
      if (line.startsWith("cd ")) {
        directory = line.substring(3);
        continue;
      }
      if (line.isBlank() || line.startsWith("#") || line.startsWith("mkdir ")
          || line.startsWith("go tool buildid") || line.startsWith("cp ")
          || line.startsWith("mv ") || line.startsWith("rm ")) {
        continue;
      }
      List<String> words = words(line);
      Map<String, String> env = new LinkedHashMap<>();
      int first = 0;
      while (first < words.size() && words.get(first).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
        String word = words.get(first);
        env.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        first++;
      }
      if (first >= words.size()) {
        continue;
      }
      String tool = words.get(first);
      String toolName = tool.substring(tool.lastIndexOf('/') + 1);
      List<String> args = List.copyOf(words.subList(first + 1, words.size()));
      if (toolName.equals("compile") && compile == null) {
        compile = new PackageAction(importPath, directory, Map.copyOf(env), tool, args,
            Map.copyOf(files), true);
      } else if (toolName.equals("link")) {
        String cfg = files.entrySet().stream()
            .filter(e -> e.getKey().endsWith("/importcfg.link"))
            .map(Map.Entry::getValue).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("the link has no importcfg.link"));
        link = new LinkAction(directory, Map.copyOf(env), tool, args, cfg);
      } else {
        onlyCompile = false;
      }
    }
    if (importPath != null && compile != null) {
      packages.put(importPath, withFlag(compile, onlyCompile));
    }
    return new GoBuildScript(packages, Optional.ofNullable(link));
  }

  private static PackageAction withFlag(PackageAction action, boolean onlyCompile) {
    return new PackageAction(action.importPath(), action.directory(), action.env(),
        action.tool(), action.args(), action.files(), onlyCompile);
  }

  /**
   * Splits one printed command into words: the go command prints a word that needs it as a Go
   * quoted string ({@code strconv.Quote}), an environment value in single quotes.
   */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
      if (i >= n) {
        break;
      }
      StringBuilder word = new StringBuilder();
      while (i < n && line.charAt(i) != ' ') {
        char c = line.charAt(i);
        if (c == '"') {
          i = unquote(line, i + 1, word);
        } else if (c == '\'') {
          int end = line.indexOf('\'', i + 1);
          if (end < 0) {
            throw new IllegalArgumentException("unterminated ' in: " + line);
          }
          word.append(line, i + 1, end);
          i = end + 1;
        } else {
          word.append(c);
          i++;
        }
      }
      words.add(word.toString());
    }
    return words;
  }

  /** Reads a Go double-quoted string body from {@code start}; returns the index after it. */
  private static int unquote(String s, int start, StringBuilder out) {
    int i = start;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c != '\\') {
        out.append(c);
        i++;
        continue;
      }
      char e = s.charAt(i + 1);
      switch (e) {
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'v' -> out.append('\u000b');
        case '\\', '"', '\'' -> out.append(e);
        case 'x' -> {
          out.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
          i += 2;
        }
        case 'u' -> {
          out.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 6), 16));
          i += 4;
        }
        case 'U' -> {
          out.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 10), 16));
          i += 8;
        }
        default -> throw new IllegalArgumentException("unknown escape \\" + e + " in: " + s);
      }
      i += 2;
    }
    throw new IllegalArgumentException("unterminated \" in: " + s);
  }
}
