package dev.hotreload.core.build;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A workspace's {@code .ko.yaml} as ko reads it: the file {@code KO_CONFIG_PATH} names (or the
 * {@code .ko.yaml} in the directory it names), else the workspace's; per-build {@code dir},
 * {@code main}, {@code env}, {@code flags} and {@code ldflags}, each falling back to {@code
 * defaultEnv}, {@code defaultFlags} and {@code defaultLdflags} when a build sets none; {@code
 * defaultPlatforms} (overridden by {@code KO_DEFAULTPLATFORMS}); {@code defaultBaseImage}
 * (overridden by {@code KO_DEFAULTBASEIMAGE}) and {@code baseImageOverrides}. Fields ko does not
 * define are ignored, as ko ignores them.
 *
 * @param builds the {@code builds:} entries
 * @param defaultBaseImage {@code defaultBaseImage}, if set
 * @param baseImageOverrides {@code baseImageOverrides}: import path to base image
 * @param defaultPlatforms {@code defaultPlatforms}, such as {@code linux/arm64}
 * @param defaultEnv {@code defaultEnv}: {@code KEY=VALUE} entries
 * @param defaultFlags {@code defaultFlags}
 * @param defaultLdflags {@code defaultLdflags}
 */
public record KoConfig(
    List<Build> builds, Optional<String> defaultBaseImage, Map<String, String> baseImageOverrides,
    List<String> defaultPlatforms, List<String> defaultEnv, List<String> defaultFlags,
    List<String> defaultLdflags) {

  /** No {@code .ko.yaml}. */
  public static final KoConfig EMPTY = new KoConfig(List.of(), Optional.empty(), Map.of(),
      List.of(), List.of(), List.of(), List.of());

  /**
   * One {@code builds:} entry.
   *
   * @param id its id
   * @param dir its directory relative to the workspace, {@code .} if unset
   * @param main its main package, relative to {@code dir}
   * @param env {@code KEY=VALUE} entries
   * @param flags extra {@code go build} flags
   * @param ldflags linker flags
   */
  public record Build(
      String id, String dir, String main, List<String> env, List<String> flags,
      List<String> ldflags) {}

  /**
   * Reads {@code .ko.yaml} (or {@code KO_CONFIG_PATH}'s file) from the workspace.
   *
   * @param workspace the workspace
   * @return the config, {@link #EMPTY} if there is no file
   * @throws IOException if the file exists but cannot be read or parsed; the message names it
   */
  public static KoConfig load(Path workspace) throws IOException {
    return load(workspace, System.getenv());
  }

  static KoConfig load(Path workspace, Map<String, String> env) throws IOException {
    Path file = configFile(workspace, env.get("KO_CONFIG_PATH"));
    KoConfig config;
    if (file == null) {
      config = EMPTY;
    } else {
      try (Reader reader = Files.newBufferedReader(file)) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        config = parse(root, file);
      } catch (YAMLException | ClassCastException e) {
        throw new IOException(file + " is not valid ko configuration: " + e.getMessage(), e);
      }
    }
    return config.withEnvironment(env);
  }

  /** KO_CONFIG_PATH's file, or the .ko.yaml of the directory it names, else the workspace's. */
  private static Path configFile(Path workspace, String configPath) throws IOException {
    if (configPath != null && !configPath.isBlank()) {
      Path named = workspace.resolve(configPath);
      Path file = Files.isDirectory(named) ? named.resolve(".ko.yaml") : named;
      if (!Files.isRegularFile(file)) {
        throw new IOException("KO_CONFIG_PATH=" + configPath + " names " + file
            + ", which does not exist: point it at a .ko.yaml or the directory holding one");
      }
      return file;
    }
    for (String name : List.of(".ko.yaml", ".ko.yml")) {
      if (Files.exists(workspace.resolve(name))) {
        return workspace.resolve(name);
      }
    }
    return null;
  }

  /** KO_DEFAULTBASEIMAGE and KO_DEFAULTPLATFORMS override the file, as in ko. */
  private KoConfig withEnvironment(Map<String, String> env) {
    Optional<String> base = Optional.ofNullable(env.get("KO_DEFAULTBASEIMAGE"))
        .filter(s -> !s.isBlank()).or(() -> defaultBaseImage);
    List<String> platforms = Optional.ofNullable(env.get("KO_DEFAULTPLATFORMS"))
        .filter(s -> !s.isBlank()).map(s -> List.of(s.split(","))).orElse(defaultPlatforms)
        .stream().map(String::strip).toList();
    return new KoConfig(builds, base, baseImageOverrides, platforms, defaultEnv, defaultFlags,
        defaultLdflags);
  }

  private static KoConfig parse(Object root, Path file) throws IOException {
    if (root == null) {
      return EMPTY;
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new IOException(file + " must be a YAML mapping with builds:, defaultBaseImage:, …");
    }
    List<Build> builds = new ArrayList<>();
    Object buildList = map.get("builds");
    if (buildList instanceof List<?> list) {
      for (Object entry : list) {
        if (entry instanceof Map<?, ?> b) {
          builds.add(
              new Build(
                  string(b.get("id")),
                  Optional.ofNullable(string(b.get("dir"))).orElse("."),
                  Optional.ofNullable(string(b.get("main"))).orElse("."),
                  strings(b.get("env")),
                  strings(b.get("flags")),
                  strings(b.get("ldflags"))));
        }
      }
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    if (map.get("baseImageOverrides") instanceof Map<?, ?> o) {
      o.forEach((k, v) -> overrides.put(String.valueOf(k), String.valueOf(v)));
    }
    return new KoConfig(
        List.copyOf(builds), Optional.ofNullable(string(map.get("defaultBaseImage"))),
        Map.copyOf(overrides), strings(map.get("defaultPlatforms")),
        strings(map.get("defaultEnv")), strings(map.get("defaultFlags")),
        strings(map.get("defaultLdflags")));
  }

  private static String string(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  private static List<String> strings(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    return List.of(String.valueOf(value));
  }

  /**
   * The build entry for a main package: the one whose {@code dir}/{@code main} names the same
   * directory.
   *
   * @param workspace the workspace
   * @param packageDir the main package's directory
   * @return the entry, if any
   */
  public Optional<Build> buildFor(Path workspace, Path packageDir) {
    Path wanted = packageDir.toAbsolutePath().normalize();
    return builds.stream()
        .filter(b -> workspace.resolve(b.dir()).resolve(b.main()).toAbsolutePath().normalize()
            .equals(wanted))
        .findFirst();
  }

  /**
   * What a build of a main package gets: its entry's env, flags and ldflags where it sets them,
   * else the defaults (an entry that sets an empty list counts as setting none, as ko cannot
   * tell them apart either once YAML is read).
   *
   * @param workspace the workspace
   * @param packageDir the main package's directory
   * @return the settings, and the directory to build in
   */
  public Settings settingsFor(Path workspace, Path packageDir) {
    Optional<Build> build = buildFor(workspace, packageDir);
    return new Settings(
        build.map(b -> workspace.resolve(b.dir())).orElse(workspace),
        build.map(Build::env).filter(l -> !l.isEmpty()).orElse(defaultEnv),
        build.map(Build::flags).filter(l -> !l.isEmpty()).orElse(defaultFlags),
        build.map(Build::ldflags).filter(l -> !l.isEmpty()).orElse(defaultLdflags));
  }

  /**
   * The settings of one build after defaults, before templates are expanded.
   *
   * @param dir where {@code go build} runs
   * @param env {@code KEY=VALUE} entries over the ambient environment
   * @param flags extra {@code go build} flags
   * @param ldflags linker flags
   */
  public record Settings(Path dir, List<String> env, List<String> flags, List<String> ldflags) {}

  /**
   * The base image for an import path: its override, else the default.
   *
   * @param importPath the main package's import path
   * @return the base image reference, if configured
   */
  public Optional<String> baseImageFor(String importPath) {
    return Optional.ofNullable(baseImageOverrides.get(importPath)).or(() -> defaultBaseImage);
  }
}
