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
 * The parts of a workspace's {@code .ko.yaml} that matter here: per-build flags, ldflags and env,
 * and the base images. Same file and fields ko reads, so a project set up for ko needs nothing
 * new.
 *
 * @param builds the {@code builds:} entries
 * @param defaultBaseImage {@code defaultBaseImage}, if set
 * @param baseImageOverrides {@code baseImageOverrides}: import path to base image
 */
public record KoConfig(
    List<Build> builds, Optional<String> defaultBaseImage, Map<String, String> baseImageOverrides) {

  /** No {@code .ko.yaml}. */
  public static final KoConfig EMPTY = new KoConfig(List.of(), Optional.empty(), Map.of());

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
    Path file = workspace.resolve(".ko.yaml");
    if (!Files.exists(file)) {
      file = workspace.resolve(".ko.yml");
    }
    if (!Files.exists(file)) {
      return EMPTY;
    }
    try (Reader reader = Files.newBufferedReader(file)) {
      Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      return parse(root, file);
    } catch (YAMLException | ClassCastException e) {
      throw new IOException(file + " is not valid ko configuration: " + e.getMessage(), e);
    }
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
        Map.copyOf(overrides));
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
   * The base image for an import path: its override, else the default.
   *
   * @param importPath the main package's import path
   * @return the base image reference, if configured
   */
  public Optional<String> baseImageFor(String importPath) {
    return Optional.ofNullable(baseImageOverrides.get(importPath)).or(() -> defaultBaseImage);
  }
}
