package dev.hotreload.core.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The template fields ko expands in {@code .ko.yaml} flags and ldflags: {@code .Env.NAME},
 * {@code .GoEnv.NAME}, {@code .Date}, {@code .Timestamp} and the {@code .Git.*} fields, read
 * from the git repository around the build directory (empty outside one, as ko leaves them).
 * Only what a text uses is looked up.
 */
final class KoTemplates {
  private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*\\.([A-Za-z]+)(?:\\.([A-Za-z0-9_]+))?\\s*}}");

  private final Map<String, String> env;
  private final Path dir;
  private final Instant now;
  private final Function<String, String> goEnv;
  private final Map<String, String> git = new HashMap<>();

  KoTemplates(Map<String, String> env, Path dir, Instant now, Function<String, String> goEnv) {
    this.env = env;
    this.dir = dir;
    this.now = now;
    this.goEnv = goEnv;
  }

  /**
   * Expands every field of a flag.
   *
   * @throws IllegalArgumentException naming a field ko does not define
   */
  String expand(String text) {
    Matcher m = FIELD.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1), m.group(2), m.group())));
    }
    m.appendTail(out);
    if (out.indexOf("{{") >= 0) {
      throw new IllegalArgumentException("template in '" + text + "' is not one ko expands: use "
          + "{{.Env.NAME}}, {{.GoEnv.NAME}}, {{.Date}}, {{.Timestamp}} or {{.Git.ShortCommit}} "
          + "and the other .Git fields");
    }
    return out.toString();
  }

  List<String> expand(List<String> texts) {
    return texts.stream().map(this::expand).toList();
  }

  private String value(String field, String key, String whole) {
    switch (field) {
      case "Env":
        return Optional.ofNullable(env.get(key)).or(() -> Optional.ofNullable(System.getenv(key)))
            .orElse("");
      case "GoEnv":
        return goEnv.apply(key);
      case "Date":
        return DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      case "Timestamp":
        return String.valueOf(now.getEpochSecond());
      case "Git":
        return git(key, whole);
      default:
        throw new IllegalArgumentException(whole + " is not a field ko expands");
    }
  }

  private String git(String key, String whole) {
    if (key == null) {
      throw new IllegalArgumentException(whole + " needs a field, such as {{.Git.ShortCommit}}");
    }
    return git.computeIfAbsent(key, k -> switch (k) {
      case "Branch" -> run("rev-parse", "--abbrev-ref", "HEAD");
      case "Tag" -> run("describe", "--tags", "--abbrev=0");
      case "ShortCommit" -> run("rev-parse", "--short", "HEAD");
      case "FullCommit" -> run("rev-parse", "HEAD");
      case "CommitDate" -> Optional.of(run("log", "-1", "--format=%ct")).filter(s -> !s.isEmpty())
          .map(s -> DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(Long.parseLong(s))))
          .orElse("");
      case "CommitTimestamp" -> run("log", "-1", "--format=%ct");
      case "IsDirty" -> String.valueOf(dirty());
      case "IsClean" -> String.valueOf(!dirty());
      case "TreeState" -> dirty() ? "dirty" : "clean";
      default -> throw new IllegalArgumentException(whole + " is not a .Git field ko defines");
    });
  }

  private boolean dirty() {
    return !run("status", "--porcelain").isEmpty();
  }

  /** What a git command prints, or empty when there is no git or no repository. */
  private String run(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        return "";
      }
      return new String(out, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
