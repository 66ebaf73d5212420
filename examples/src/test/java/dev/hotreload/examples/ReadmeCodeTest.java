package dev.hotreload.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.k8s.testing.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's Java examples are exactly the code {@link ReadmeExamplesIT} runs: an example edited
 * in one place and not the other fails here, before any cluster starts.
 */
class ReadmeCodeTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final String MARKER = "// ---- README:";

  @Test
  void everyJavaBlockInTheReadme_isCodeTheIntegrationTestRuns() throws IOException {
    Path root = LocalCluster.repositoryRoot();
    List<String> readme = new ArrayList<>();
    Matcher block = JAVA_BLOCK.matcher(Files.readString(root.resolve("README.md")));
    while (block.find()) {
      readme.add(dedent(block.group(1)));
    }
    List<String> run = new ArrayList<>();
    for (String test : List.of("ReadmeExamplesIT.java", "HelloContainerIT.java",
        "HelloK3sIT.java")) {
      run.addAll(segments(Files.readString(
          root.resolve("examples/src/test/java/dev/hotreload/examples").resolve(test))));
    }

    assertThat(readme).as("README.md's java blocks").isNotEmpty();
    assertThat(run).as("the code ReadmeExamplesIT, HelloContainerIT and HelloK3sIT run "
            + "between their README markers")
        .containsExactlyInAnyOrderElementsOf(readme);
  }

  @Test
  void dependencySnippets_nameTheBomAndAModuleAtTheBuildsVersion() throws IOException {
    Path root = LocalCluster.repositoryRoot();
    String readme = Files.readString(root.resolve("README.md"));
    String bom = Files.readString(root.resolve("hotreload-bom/pom.xml"));
    Matcher version = Pattern.compile("<artifactId>hotreload-bom</artifactId>\\s*<version>([^<]+)")
        .matcher(bom);
    assertThat(version.find()).as("hotreload-bom/pom.xml declares its version").isTrue();
    String v = version.group(1);

    assertThat(readme).contains("<artifactId>hotreload-bom</artifactId>\n      <version>" + v)
        .contains("platform(\"dev.hotreload:hotreload-bom:" + v + "\")")
        .contains("implementation(\"dev.hotreload:hotreload-k8s\")");
    assertThat(bom).contains("<artifactId>hotreload-k8s</artifactId>")
        .contains("<artifactId>hotreload-core</artifactId>");
  }

  /** The code between one README marker and the next, without the "end" markers' tails. */
  private static List<String> segments(String source) {
    List<String> segments = new ArrayList<>();
    StringBuilder current = null;
    for (String line : source.split("\n", -1)) {
      if (line.strip().startsWith(MARKER)) {
        if (current != null) {
          segments.add(dedent(current.toString()));
        }
        current = line.strip().equals(MARKER + " end") ? null : new StringBuilder();
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    return segments;
  }

  private static String dedent(String code) {
    List<String> lines = code.lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString();
  }
}
