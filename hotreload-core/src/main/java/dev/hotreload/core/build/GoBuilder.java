package dev.hotreload.core.build;

import dev.hotreload.Artifact;
import dev.hotreload.BuildFailedException;
import dev.hotreload.Platform;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.BuildRequest;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Builds Go binaries the way ko does: {@code go build -trimpath} with {@code CGO_ENABLED=0} and
 * {@code GOOS/GOARCH/GOARM/GOAMD64} from the platform, into {@code
 * <cache>/bin/<import path>/<os>/<arch>/out}. A matching {@code builds:} entry of the workspace's
 * {@code .ko.yaml} adds its flags, ldflags and env.
 *
 * <p>Unlike ko, binaries are linked without the symbol table and DWARF ({@code -ldflags=-s -w})
 * unless {@link Builder#debugInfo(boolean)} asks for them: on the hello example that takes a
 * quarter off the link (≈ 0.8 → 0.6 s on a 2-core machine) and 30 % off the bytes sent on every
 * reload, while panics still print symbolized stack traces (those come from pclntab, which stays).
 *
 * <p>Thread-safe. A build whose thread is interrupted kills the compiler and throws.
 *
 * <pre>{@code
 * GoBuilder builder = GoBuilder.builder().ldflags("-s -w").tags("netgo").build();
 * }</pre>
 */
public final class GoBuilder implements ArtifactBuilder {
  private static final Executor LEARNER = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "hotreload-go-learn");
    thread.setDaemon(true);
    return thread;
  });

  private final Optional<Path> goBinary;
  private final Path cacheDirectory;
  private final List<String> flags;
  private final List<String> ldflags;
  private final List<String> tags;
  private final Map<String, String> env;
  private final boolean trimpath;
  private final boolean debugInfo;
  private final boolean direct;
  private final Map<String, GoPackage> packages = new ConcurrentHashMap<>();
  private final Map<String, DirectBuild> directBuilds = new ConcurrentHashMap<>();
  private volatile LastBuild lastBuild;

  private GoBuilder(Builder b) {
    this.goBinary = Optional.ofNullable(b.goBinary);
    this.cacheDirectory = b.cacheDirectory != null ? b.cacheDirectory : CacheDirectory.binaries();
    this.flags = List.copyOf(b.flags);
    this.ldflags = List.copyOf(b.ldflags);
    this.tags = List.copyOf(b.tags);
    this.env = Map.copyOf(b.env);
    this.trimpath = b.trimpath;
    this.debugInfo = b.debugInfo;
    this.direct = b.direct;
  }

  /**
   * A builder with ko's defaults.
   *
   * @return the builder
   */
  public static GoBuilder create() {
    return builder().build();
  }

  /**
   * Starts configuring a builder.
   *
   * @return the configurator
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Where binaries go.
   *
   * @return the cache directory
   */
  public Path cacheDirectory() {
    return cacheDirectory;
  }

  @Override
  public void check(BuildRequest request) throws IOException {
    GoPackage pkg = resolve(request);
    if (!pkg.isMain()) {
      throw new BuildFailedException(
          "'" + request.mainPackage() + "' is package " + pkg.name() + ", not main: set "
              + "mainPackage to the directory of a command (package main), like ./cmd/server",
          request.platform(), GoBuilder.class, List.of(), null);
    }
  }

  @Override
  public Artifact build(BuildRequest request) throws IOException {
    GoPackage pkg = resolve(request);
    DirectBuild.Invocation invocation = invocation(request, pkg);
    Platform platform = request.platform();
    String reason = "direct builds are off";
    DirectBuild state = null;
    if (direct) {
      state = directBuilds.computeIfAbsent(invocation.out().toString() + "\0"
              + invocation.directory(),
          key -> new DirectBuild(DirectBuild.stateDirectory(cacheDirectory.resolve("direct"),
              Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString()
                  .substring(0, 16)), LEARNER));
      DirectBuild.Outcome outcome = state.build(invocation);
      if (outcome instanceof DirectBuild.Outcome.Built built) {
        lastBuild = new LastBuild(true, built.compiled(), built.timings());
        return artifact(invocation, platform);
      }
      reason = ((DirectBuild.Outcome.Fallback) outcome).reason();
    }
    GoToolchain.Result result =
        invocation.go().run(invocation.directory(), invocation.env(), invocation.goBuild());
    if (!result.ok()) {
      String stderr = result.stderr().strip();
      lastBuild = new LastBuild(false, List.of(), reason);
      throw new BuildFailedException(
          "go build " + request.mainPackage() + " for " + platform + " failed:\n" + stderr,
          platform, GoBuilder.class, GoDiagnostics.parse(stderr, invocation.directory()), null);
    }
    if (state != null) {
      state.learnAfterGoBuild(invocation);
    }
    lastBuild = new LastBuild(false, List.of(), reason);
    return artifact(invocation, platform);
  }

  /**
   * How the last {@link #build} of this builder went: directly, or with {@code go build} and
   * why. For tests, benchmarks and tools that show where time goes.
   *
   * @return the last build, or empty before the first
   */
  public Optional<LastBuild> lastBuild() {
    return Optional.ofNullable(lastBuild);
  }

  /**
   * How one build went.
   *
   * @param direct whether it ran the compiler and linker itself instead of {@code go build}
   * @param compiled the packages it compiled when direct (empty: nothing changed)
   * @param reason why it was not direct, or for a direct build where its time went
   */
  public record LastBuild(boolean direct, List<String> compiled, String reason) {
    /** Copies the list. */
    public LastBuild {
      compiled = List.copyOf(compiled);
    }
  }

  private static Artifact artifact(DirectBuild.Invocation invocation, Platform platform)
      throws IOException {
    Path out = invocation.out();
    return new Artifact(out, sha256(out), Files.size(out), platform, invocation.importPath());
  }

  private DirectBuild.Invocation invocation(BuildRequest request, GoPackage pkg)
      throws IOException {
    Path workspace = request.workspace();
    KoConfig ko = KoConfig.load(workspace);
    KoConfig.Settings koBuild = ko.settingsFor(workspace, pkg.dir());
    Platform platform = request.platform();

    Path out =
        cacheDirectory
            .resolve("bin")
            .resolve(pkg.importPath())
            // ko's layout, platform.String() as path: linux/arm/v7 is three directories
            .resolve(platform.toString())
            .resolve("out");
    Files.createDirectories(out.getParent());

    Map<String, String> buildEnv = new LinkedHashMap<>(platformEnv(platform));
    koBuild.env().forEach(kv -> putKeyValue(buildEnv, kv));
    buildEnv.putAll(env);

    List<String> args = new ArrayList<>();
    if (trimpath) {
      args.add("-trimpath");
    }
    List<String> allLdflags = new ArrayList<>();
    if (!debugInfo) {
      allLdflags.add("-s -w");
    }
    KoTemplates templates = new KoTemplates(buildEnv, koBuild.dir(), Instant.now(),
        name -> goEnv(name, buildEnv));
    try {
      args.addAll(templates.expand(koBuild.flags()));
      allLdflags.addAll(templates.expand(koBuild.ldflags()));
    } catch (IllegalArgumentException e) {
      throw new BuildFailedException(".ko.yaml: " + e.getMessage(), platform, GoBuilder.class,
          List.of(), e);
    }
    args.addAll(flags);
    allLdflags.addAll(ldflags);
    if (!allLdflags.isEmpty()) {
      args.add("-ldflags=" + String.join(" ", allLdflags));
    }
    if (!tags.isEmpty()) {
      args.add("-tags=" + String.join(",", tags));
    }
    return new DirectBuild.Invocation(toolchain(), koBuild.dir(), Map.copyOf(buildEnv),
        List.copyOf(args), out, pkg.importPath());
  }

  private GoPackage resolve(BuildRequest request) throws IOException {
    String key = request.workspace().toAbsolutePath() + "\0" + request.mainPackage();
    GoPackage cached = packages.get(key);
    if (cached != null) {
      return cached;
    }
    if (!Files.isRegularFile(request.workspace().resolve("go.mod"))) {
      throw new BuildFailedException(
          "Workspace " + request.workspace() + " has no go.mod: point forWorkspace at the "
              + "module root, or run `go mod init <module path>` there",
          request.platform(), GoBuilder.class, List.of(), null);
    }
    GoPackage pkg = GoPackage.resolve(toolchain(), request.workspace(), request.mainPackage(), env);
    packages.put(key, pkg);
    return pkg;
  }

  private GoToolchain toolchain() throws IOException {
    if (goBinary.isPresent()) {
      if (!Files.isExecutable(goBinary.get())) {
        throw new BuildFailedException(
            "The configured go binary " + goBinary.get() + " is not an executable file",
            null, GoBuilder.class, List.of(), null);
      }
      return GoToolchain.at(goBinary.get());
    }
    try {
      return GoToolchain.find();
    } catch (IOException e) {
      throw new BuildFailedException(e.getMessage(), null, GoBuilder.class, List.of(), e);
    }
  }

  /**
   * The Go environment that selects a platform, with cgo off as ko does.
   *
   * @param platform the platform
   * @return GOOS, GOARCH, CGO_ENABLED and GOARM or GOAMD64 when the variant says so
   */
  static Map<String, String> platformEnv(Platform platform) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GOOS", platform.os());
    env.put("GOARCH", platform.architecture());
    env.put("CGO_ENABLED", "0");
    platform
        .variant()
        .ifPresent(
            v -> {
              if (platform.architecture().equals("arm") && v.matches("v[5-7]")) {
                env.put("GOARM", v.substring(1));
              } else if (platform.architecture().equals("amd64") && v.matches("v[1-4]")) {
                env.put("GOAMD64", v);
              }
            });
    return env;
  }

  private static void putKeyValue(Map<String, String> env, String keyValue) {
    int eq = keyValue.indexOf('=');
    if (eq > 0) {
      env.put(keyValue.substring(0, eq), keyValue.substring(eq + 1));
    }
  }

  /** One {@code go env} value with the build's environment, for {@code {{.GoEnv.NAME}}}. */
  private String goEnv(String name, Map<String, String> buildEnv) {
    try {
      GoToolchain.Result result = toolchain().run(Path.of("."), buildEnv, List.of("env", name));
      return result.ok() ? result.stdout().strip() : "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The hex sha256 of a file, as artifacts carry it.
   *
   * @param file the file
   * @return lowercase hex
   * @throws IOException if it cannot be read
   */
  public static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }

  /** Configures a {@link GoBuilder}. Single use. */
  public static final class Builder {
    private Path goBinary;
    private Path cacheDirectory;
    private final List<String> flags = new ArrayList<>();
    private final List<String> ldflags = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean trimpath = true;
    private boolean debugInfo;
    private boolean direct = true;

    private Builder() {}

    /**
     * Whether edits confined to the Go code of packages it has built before are built by
     * running {@code go tool compile} for those packages and {@code go tool link} directly,
     * with the go command's own flags, instead of {@code go build}: the same binary except its
     * build ID, without the go command's ≈ 100 ms of loading and hashing. On by default;
     * anything it does not understand (go.mod, added files or imports, cgo, …) runs {@code go
     * build}.
     *
     * @param direct false to always run {@code go build}
     * @return this
     */
    public Builder direct(boolean direct) {
      this.direct = direct;
      return this;
    }

    /**
     * Keeps the symbol table and DWARF in the binary, for a debugger such as Delve attached in
     * the pod. Off by default: stripping makes every link and every transfer faster.
     *
     * @param keep true to keep them
     * @return this
     */
    public Builder debugInfo(boolean keep) {
      this.debugInfo = keep;
      return this;
    }

    /**
     * Uses this {@code go} binary instead of the one on {@code PATH}.
     *
     * @param go the binary
     * @return this
     */
    public Builder goBinary(Path go) {
      this.goBinary = Objects.requireNonNull(go, "goBinary");
      return this;
    }

    /**
     * Puts binaries under this directory instead of {@code HOTRELOAD_CACHE} or the user cache.
     *
     * @param directory the cache directory
     * @return this
     */
    public Builder cacheDirectory(Path directory) {
      this.cacheDirectory = Objects.requireNonNull(directory, "cacheDirectory");
      return this;
    }

    /**
     * Adds a {@code go build} flag, like {@code -race} or {@code -gcflags=all=-N -l}.
     *
     * @param flag the flag
     * @return this
     */
    public Builder addFlag(String flag) {
      flags.add(Objects.requireNonNull(flag, "flag"));
      return this;
    }

    /**
     * Adds linker flags, like {@code -s -w} or {@code -X main.version=dev}.
     *
     * @param flags the flags, space separated
     * @return this
     */
    public Builder ldflags(String flags) {
      ldflags.add(Objects.requireNonNull(flags, "ldflags"));
      return this;
    }

    /**
     * Sets build tags.
     *
     * @param buildTags the tags
     * @return this
     */
    public Builder tags(String... buildTags) {
      tags.addAll(List.of(buildTags));
      return this;
    }

    /**
     * Sets an environment variable for {@code go build}, like {@code GOFLAGS} or {@code
     * GOPRIVATE}.
     *
     * @param name the variable
     * @param value its value
     * @return this
     */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Turns {@code -trimpath} off (it is on by default, as in ko), for debuggers that need full
     * paths.
     *
     * @param trimpath whether to pass {@code -trimpath}
     * @return this
     */
    public Builder trimpath(boolean trimpath) {
      this.trimpath = trimpath;
      return this;
    }

    /**
     * Creates the builder.
     *
     * @return the builder
     */
    public GoBuilder build() {
      return new GoBuilder(this);
    }
  }
}
