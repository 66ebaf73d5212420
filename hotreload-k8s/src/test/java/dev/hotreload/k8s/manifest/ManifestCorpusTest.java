package dev.hotreload.k8s.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.core.agent.AgentManifestTransformer;
import dev.hotreload.spi.ManifestTransformer.Context;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The rewriter against real manifests of public projects (test resources
 * {@code manifest-corpus/}, sources and licences in its SOURCES.md): blank lines between list
 * items, both sequence indentations in one file, multi-line flow collections, CRLF, trailing
 * spaces, several containers on one image. Rewriting each file's first image must change only
 * the lines of the values the rewrite replaces (image, command, args, workingDir); every other
 * line of the file stays byte for byte, in order, with the agent's additions between them.
 */
class ManifestCorpusTest {
  private static final Context CONTEXT = new Context(
      "localhost:5000/app@sha256:" + "ab".repeat(32), List.of("/ko-app/app"));
  private static final Pattern IMAGE = Pattern.compile("(?m)^\\s*(?:- )?image:\\s*[\"']?([^\\s\"'#]+)");
  private static final Pattern REPLACED_KEY =
      Pattern.compile("^(\\s*)(- )?(image|command|args|workingDir):");

  static Stream<Path> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(ManifestCorpusTest.class.getResource("/manifest-corpus").toURI());
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted().toList();
    }
    assertThat(files).as("the corpus in %s", dir).hasSizeGreaterThanOrEqualTo(40);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void rewritingChangesOnlyTheReplacedValuesLines(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Matcher image = IMAGE.matcher(text);
    assertThat(image.find()).as("%s names an image", file.getFileName()).isTrue();
    ManifestRewriter rewriter = ManifestRewriter.of(ImageMatcher.imageName(image.group(1)),
        CONTEXT, AgentManifestTransformer.DEFAULT);

    ManifestRewriter.Result result = rewriter.rewriteIfUsed(text);

    assertThat(result.containers()).as("containers rewritten in %s", file.getFileName())
        .isNotEmpty();
    new Yaml(new LoaderOptions()).loadAll(result.yaml()).forEach(doc -> { });
    // a file without a final line break gets one where the agent's volume follows its last line
    List<String> before = lines(text.endsWith("\n") ? text : text + "\n");
    List<String> after = lines(result.yaml().endsWith("\n") ? result.yaml() : result.yaml() + "\n");
    boolean[] replaceable = replaceableLines(before);
    List<String> lost = new ArrayList<>();
    boolean[] kept = keptInOrder(before, after);
    for (int i = 0; i < before.size(); i++) {
      if (!kept[i] && !replaceable[i]) {
        lost.add((i + 1) + ": " + before.get(i).replace("\r", "\\r"));
      }
    }
    assertThat(lost).as("lines of %s that the rewrite changed although it replaces no value "
        + "there", file.getFileName()).isEmpty();
    if (text.contains("\r\n")) {
      assertThat(result.yaml().replace("\r\n", "")).as("CRLF kept").doesNotContain("\n");
    }
  }

  /** Lines keep their line breaks, so CRLF and trailing spaces count. */
  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        lines.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  /** The lines of image, command, args and workingDir entries: values a rewrite may replace. */
  private static boolean[] replaceableLines(List<String> lines) {
    boolean[] replaceable = new boolean[lines.size()];
    for (int i = 0; i < lines.size(); i++) {
      Matcher key = REPLACED_KEY.matcher(lines.get(i));
      if (!key.find()) {
        continue;
      }
      int column = key.group(1).length() + (key.group(2) == null ? 0 : 2);
      replaceable[i] = true;
      for (int j = i + 1; j < lines.size(); j++) {
        String line = lines.get(j);
        String stripped = line.strip();
        int indent = line.length() - line.stripLeading().length();
        boolean flushItem = indent == column && stripped.startsWith("-");
        boolean closingBracket = indent == column && (stripped.startsWith("]")
            || stripped.startsWith("}"));
        if (!stripped.isEmpty() && indent <= column && !flushItem && !closingBracket) {
          break;
        }
        replaceable[j] = true;
      }
    }
    return replaceable;
  }

  /** Which lines of {@code before} appear in {@code after} in order (a longest common subsequence). */
  private static boolean[] keptInOrder(List<String> before, List<String> after) {
    int n = before.size();
    int m = after.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] = before.get(i).equals(after.get(j)) ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    boolean[] kept = new boolean[n];
    int i = 0;
    int j = 0;
    while (i < n && j < m) {
      if (before.get(i).equals(after.get(j))) {
        kept[i++] = true;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
        i++;
      } else {
        j++;
      }
    }
    return kept;
  }
}
