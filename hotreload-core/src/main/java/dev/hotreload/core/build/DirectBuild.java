package dev.hotreload.core.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.hotreload.core.build.GoBuildScript.LinkAction;
import dev.hotreload.core.build.GoBuildScript.PackageAction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The direct path of one {@code go build} invocation: after {@code go build} has built it, learns
 * the build's actions from {@code go build -n} (every package's compile, the link and its import
 * configuration) and the state of every source file it reads outside GOROOT and the module
 * cache. An edit confined to the Go code of known packages is then built by running only {@code
 * go tool compile} for the edited packages — and for their importers only when the export data
 * changed — and {@code go tool link}, with the flags the go command used.
 *
 * <p>Everything else is a {@link Outcome#fallback fallback} to {@code go build}, which the
 * caller runs and then calls {@link #learnAfterGoBuild} again: go.mod, go.sum or go.work
 * changes, files added to or removed from a package, changed imports, build constraints or
 * {@code //go:embed} patterns, packages with assembly or cgo, a version-control stamp in the
 * binary, other build settings, and any tool failure (so compiler diagnostics are always the go
 * command's own).
 *
 * <p>The binary equals {@code go build}'s except the Go build ID (and the GNU build ID the linker
 * derives from it): the go command's IDs hash its own action graph, which only it can
 * reproduce. Both IDs keep their length, so every other byte is at the same offset.
 */
final class DirectBuild {
  private static final Set<String> SOURCE_EXTENSIONS = Set.of("go", "s", "S", "sx", "c", "cc",
      "cpp", "cxx", "h", "hh", "hpp", "hxx", "m", "f", "F", "for", "f90", "syso", "swig",
      "swigcxx");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What {@link #build} did. */
  sealed interface Outcome {
    /**
     * Built directly, compiling these packages (none when nothing changed); {@code timings}
     * says where the time went.
     */
    record Built(Path binary, List<String> compiled, String timings) implements Outcome {}

    /** Left to {@code go build}, for this reason. */
    record Fallback(String reason) implements Outcome {}

    static Outcome fallback(String reason) {
      return new Fallback(reason);
    }
  }

  /** The go command's invocation this state belongs to. */
  record Invocation(GoToolchain go, Path directory, Map<String, String> env, List<String> flags,
      Path out, String importPath) {
    String key() {
      return go.binary() + "\0" + directory + "\0" + new TreeMap<>(env) + "\0"
          + flags + "\0" + out + "\0" + importPath;
    }

    List<String> goBuild(String... extra) {
      List<String> args = new ArrayList<>();
      args.add("build");
      args.addAll(List.of(extra));
      args.addAll(flags);
      args.add("-o");
      args.add(out.toString());
      args.add(importPath);
      return args;
    }
  }

  private record FileState(long size, FileTime modified, byte[] sha256, GoFileHeader header) {
    boolean sameStat(BasicFileAttributes attributes) {
      return attributes.size() == size && attributes.lastModifiedTime().equals(modified);
    }
  }

  /** A package whose sources can change: outside GOROOT and the module cache. */
  private record Tracked(String importPath, int index, PackageAction action,
      List<Listing> listings, List<Path> files, Set<String> imports) {}

  /** A directory's names that matter: a package's compilable files, or every embeddable one. */
  private record Listing(Path dir, boolean sources, Set<String> names) {}

  /**
   * What the direct path knows. {@code linked}: the binary at the invocation's output was linked
   * from these archives (false after learning: the sources may have moved on since go build).
   */
  private record Learned(String key, Map<String, Tracked> tracked, Map<String, String> archives,
      LinkAction link, Map<Path, FileState> states, List<Path> moduleFiles, boolean linked) {}

  private final Path stateDirectory;
  private final Executor learner;
  private CompletableFuture<Object> learning = CompletableFuture.completedFuture("not learned yet");
  private String goModCache;

  /**
   * A directory of its own for one builder's direct state (two builders may build the same
   * output), after removing those that builders left more than a day ago.
   *
   * @param parent where state directories live
   * @param prefix the invocation's short hash
   * @return a new, empty directory
   * @throws UncheckedIOException if it cannot be created
   */
  static Path stateDirectory(Path parent, String prefix) {
    try {
      Files.createDirectories(parent);
      FileTime dayAgo = FileTime.fromMillis(System.currentTimeMillis() - 86_400_000L);
      try (Stream<Path> old = Files.list(parent)) {
        for (Path dir : old.toList()) {
          if (Files.getLastModifiedTime(dir).compareTo(dayAgo) < 0) {
            MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
          }
        }
      } catch (IOException e) {
        // another builder removed it first, or it is in use: left for next time
      }
      return Files.createTempDirectory(parent, prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the direct builder's directory in " + parent,
          e);
    }
  }

  DirectBuild(Path stateDirectory, Executor learner) {
    this.stateDirectory = stateDirectory;
    this.learner = learner;
  }

  /**
   * Builds the invocation directly if what changed since the last build allows it.
   *
   * @param invocation the go command's invocation, as the caller would run it
   * @return the binary, or why not
   * @throws InterruptedIOException if the thread is interrupted; the state is unchanged
   */
  synchronized Outcome build(Invocation invocation) throws IOException {
    long start = System.nanoTime();
    Object learnt;
    try {
      learnt = learning.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("waiting for the direct builder's learning");
    } catch (ExecutionException | TimeoutException e) {
      return Outcome.fallback("learning the build failed: " + e);
    }
    if (!(learnt instanceof Learned learned)) {
      return Outcome.fallback(String.valueOf(learnt));
    }
    if (!learned.key().equals(invocation.key())) {
      return Outcome.fallback("the build settings changed");
    }
    for (Path file : learned.moduleFiles()) {
      FileState before = learned.states().get(file);
      FileState now = stateOf(file, before);
      boolean same = now == null || before == null
          ? now == before : Arrays.equals(now.sha256(), before.sha256());
      if (!same) {
        return Outcome.fallback(file + " changed");
      }
    }
    Map<Path, FileState> states = new HashMap<>(learned.states());
    Set<String> dirty = new LinkedHashSet<>();
    for (Tracked pkg : learned.tracked().values()) {
      for (Listing before : pkg.listings()) {
        Listing now = listing(before.dir(), before.sources());
        if (!now.equals(before)) {
          Set<String> added = new TreeSet<>(now.names());
          added.removeAll(before.names());
          Set<String> removed = new TreeSet<>(before.names());
          removed.removeAll(now.names());
          return Outcome.fallback("in " + before.dir() + " (" + pkg.importPath()
              + ") files were added " + added + " or removed " + removed);
        }
      }
      for (Path file : pkg.files()) {
        FileState before = learned.states().get(file);
        FileState now = stateOf(file, before);
        if (now == null) {
          return Outcome.fallback(file + " is gone");
        }
        if (now == before) {
          continue;
        }
        states.put(file, now);
        if (Arrays.equals(now.sha256(), before.sha256())) {
          continue;
        }
        if (!Objects.equals(now.header(), before.header())) {
          return Outcome.fallback(file + ": its imports, build constraints, package clause or "
              + "//go:embed lines changed");
        }
        if (!pkg.action().onlyCompile()) {
          return Outcome.fallback(pkg.importPath() + " has assembly or cgo");
        }
        dirty.add(pkg.importPath());
      }
    }
    if (dirty.isEmpty() && learned.linked() && Files.isRegularFile(invocation.out())) {
      learning = CompletableFuture.completedFuture(new Learned(learned.key(), learned.tracked(),
          learned.archives(), learned.link(), Map.copyOf(states), learned.moduleFiles(), true));
      return new Outcome.Built(invocation.out(), List.of(), "nothing changed");
    }
    return compileAndLink(invocation, learned, states, dirty, System.nanoTime() - start);
  }

  private Outcome compileAndLink(Invocation invocation, Learned learned,
      Map<Path, FileState> states, Set<String> dirty, long checkNanos) throws IOException {
    long compileStart = System.nanoTime();
    Path work = Files.createDirectories(stateDirectory.resolve("work"));
    Map<String, String> archives = new HashMap<>(learned.archives());
    Map<String, Path> staged = new LinkedHashMap<>();
    List<String> compiled = new ArrayList<>();
    try {
      for (Tracked pkg : learned.tracked().values()) {
        if (!dirty.contains(pkg.importPath())) {
          continue;
        }
        Path archive = work.resolve(pkg.index() + ".a.new");
        Outcome failed = compile(invocation, pkg, archives, archive, states);
        if (failed != null) {
          return failed;
        }
        compiled.add(pkg.importPath());
        String before = archives.get(pkg.importPath());
        if (before == null || !Arrays.equals(GoArchive.exportData(Path.of(before)),
            GoArchive.exportData(archive))) {
          for (Tracked importer : learned.tracked().values()) {
            if (importer.imports().contains(pkg.importPath())) {
              if (!importer.action().onlyCompile()) {
                return Outcome.fallback(importer.importPath() + " imports " + pkg.importPath()
                    + ", whose export data changed, and has assembly or cgo");
              }
              dirty.add(importer.importPath());
            }
          }
        }
        archives.put(pkg.importPath(), archive.toString());
        staged.put(pkg.importPath(), archive);
      }
      Path binary = work.resolve("exe.new");
      long linkStart = System.nanoTime();
      Outcome failed = link(invocation, learned, archives, binary, states);
      long linked = System.nanoTime();
      if (failed != null) {
        return failed;
      }
      Files.move(binary, invocation.out(), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Map<String, String> committed = new HashMap<>(learned.archives());
      for (Map.Entry<String, Path> e : staged.entrySet()) {
        Path settled = work.resolve(learned.tracked().get(e.getKey()).index() + ".a");
        Files.move(e.getValue(), settled, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        committed.put(e.getKey(), settled.toString());
      }
      learning = CompletableFuture.completedFuture(new Learned(learned.key(), learned.tracked(),
          Map.copyOf(committed), learned.link(), Map.copyOf(states), learned.moduleFiles(),
          true));
      return new Outcome.Built(invocation.out(), List.copyOf(compiled), String.format(
          Locale.ROOT, "sources checked in %d ms, %d package(s) compiled in %d ms, linked in "
              + "%d ms", checkNanos / 1_000_000, compiled.size(),
          (linkStart - compileStart) / 1_000_000, (linked - linkStart) / 1_000_000));
    } finally {
      for (Path left : staged.values()) {
        Files.deleteIfExists(left);
      }
    }
  }

  private Outcome compile(Invocation invocation, Tracked pkg, Map<String, String> archives,
      Path archive, Map<Path, FileState> states) throws IOException {
    PackageAction action = pkg.action();
    Path work = archive.getParent();
    List<String> args = new ArrayList<>();
    args.add(action.tool());
    String id = buildId(pkg.files(), states, "compile");
    for (int i = 0; i < action.args().size(); i++) {
      String arg = action.args().get(i);
      String flag = i > 0 ? action.args().get(i - 1) : "";
      switch (flag) {
        case "-o" -> args.add(archive.toString());
        case "-buildid" -> args.add(id + "/" + id);
        case "-importcfg" -> {
          Path cfg = work.resolve(pkg.index() + ".importcfg");
          Files.writeString(cfg, withArchives(action.files().get(arg), archives));
          args.add(cfg.toString());
        }
        case "-embedcfg" -> {
          Path cfg = work.resolve(pkg.index() + ".embedcfg");
          Files.writeString(cfg, action.files().get(arg));
          args.add(cfg.toString());
        }
        default -> args.add(arg.replace(GoBuildScript.WORK, work.toString()));
      }
    }
    Path directory = invocation.directory().resolve(action.directory());
    GoToolchain.Result result = GoToolchain.exec(args, directory,
        toolEnv(invocation, action.env(), directory));
    if (!result.ok()) {
      Files.deleteIfExists(archive);
      return Outcome.fallback("compiling " + pkg.importPath() + " failed; go build reports it");
    }
    return null;
  }

  private Outcome link(Invocation invocation, Learned learned, Map<String, String> archives,
      Path binary, Map<Path, FileState> states) throws IOException {
    LinkAction link = learned.link();
    Path work = binary.getParent();
    Path cfg = work.resolve("importcfg.link");
    Files.writeString(cfg, withArchives(link.importcfg(), archives));
    List<Path> sources = new ArrayList<>();
    learned.tracked().values().forEach(t -> sources.addAll(t.files()));
    String id = buildId(sources, states, "link");
    List<String> args = new ArrayList<>();
    args.add(link.tool());
    List<String> original = link.args();
    for (int i = 0; i < original.size(); i++) {
      String arg = original.get(i);
      String flag = i > 0 ? original.get(i - 1) : "";
      if (flag.equals("-o")) {
        args.add(binary.toString());
      } else if (flag.equals("-importcfg")) {
        args.add(cfg.toString());
      } else if (arg.startsWith("-buildid=")) {
        // four parts of 20 characters like the go command's, so every other byte of the
        // binary sits where go build puts it
        args.add("-buildid=" + id + "/" + buildId(sources, states, "main") + "/"
            + buildId(sources, states, "content") + "/" + id);
      } else if (i == original.size() - 1) {
        args.add(archives.get(invocation.importPath()));
      } else {
        args.add(arg.replace(GoBuildScript.WORK, work.toString()));
      }
    }
    Path directory = invocation.directory().resolve(link.directory());
    GoToolchain.Result result = GoToolchain.exec(args, directory,
        toolEnv(invocation, link.env(), directory));
    if (!result.ok()) {
      Files.deleteIfExists(binary);
      return Outcome.fallback("linking failed; go build reports it: " + result.stderr().strip());
    }
    return null;
  }

  private static Map<String, String> toolEnv(Invocation invocation, Map<String, String> env,
      Path directory) {
    Map<String, String> all = new LinkedHashMap<>(invocation.env());
    all.putAll(env);
    all.put("PWD", directory.toString());
    return all;
  }

  /** Points every {@code packagefile} line of an import configuration at the current archive. */
  private static String withArchives(String importcfg, Map<String, String> archives) {
    StringBuilder out = new StringBuilder();
    for (String line : importcfg.split("\n", -1)) {
      if (line.startsWith("packagefile ") && line.contains("=")) {
        String pkg = line.substring("packagefile ".length(), line.indexOf('='));
        String archive = archives.get(pkg);
        if (archive != null) {
          line = "packagefile " + pkg + "=" + archive;
        }
      }
      out.append(line).append('\n');
    }
    out.setLength(out.length() - 1);
    return out.toString();
  }

  /** 20 characters like the go command's IDs, from the sources' hashes: same sources, same ID. */
  private static String buildId(List<Path> files, Map<Path, FileState> states, String salt) {
    MessageDigest digest = sha256();
    digest.update(salt.getBytes(StandardCharsets.UTF_8));
    for (Path file : files) {
      digest.update(file.toString().getBytes(StandardCharsets.UTF_8));
      FileState state = states.get(file);
      if (state != null) {
        digest.update(state.sha256());
      }
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest()).substring(0, 20);
  }

  /**
   * After a successful {@code go build} of the invocation, learns its actions in the background;
   * the next {@link #build} waits for it.
   *
   * @param invocation what was built
   */
  synchronized void learnAfterGoBuild(Invocation invocation) {
    learning = CompletableFuture.supplyAsync(() -> {
      try {
        return learn(invocation);
      } catch (IOException e) {
        return "learning the build failed: " + e.getMessage();
      } catch (RuntimeException e) {
        return "learning the build failed: " + e;
      }
    }, learner);
  }

  private Object learn(Invocation invocation) throws IOException {
    Path probe = stateDirectory.resolve("probe");
    Invocation probing = new Invocation(invocation.go(), invocation.directory(),
        invocation.env(), invocation.flags(), probe, invocation.importPath());
    GoToolchain.Result all = invocation.go().run(invocation.directory(), invocation.env(),
        probing.goBuild("-a", "-n"));
    if (!all.ok()) {
      return "go build -a -n failed: " + all.stderr().strip();
    }
    GoBuildScript graph = GoBuildScript.parse(all.stderr());
    Path goroot = graph.link().map(l -> Path.of(l.tool()).getParent().getParent().getParent()
        .getParent()).orElse(null);
    if (goroot == null) {
      return "go build -a -n printed no link";
    }
    Path modCache = Path.of(goModCache(invocation));
    Map<String, Tracked> tracked = new LinkedHashMap<>();
    Map<Path, FileState> states = new HashMap<>();
    Set<Path> moduleFiles = new LinkedHashSet<>();
    int index = 0;
    for (PackageAction action : graph.packages().values()) {
      List<Path> goFiles = sourceFiles(invocation.directory(), action);
      if (goFiles.isEmpty()) {
        continue;
      }
      Path dir = goFiles.get(0).getParent();
      if (dir.startsWith(goroot) || dir.startsWith(modCache)
          || action.args().stream().anyMatch(a -> a.startsWith(GoBuildScript.WORK + "/")
              && a.endsWith(".go"))) {
        continue;
      }
      List<Path> files = new ArrayList<>(goFiles);
      action.flag("-embedcfg").map(cfg -> action.files().get(cfg))
          .ifPresent(cfg -> files.addAll(embeddedFiles(cfg)));
      for (Path file : files) {
        FileState state = stateOf(file, null);
        if (state == null) {
          return file + " vanished while learning";
        }
        states.put(file, state);
      }
      Set<String> imports = new LinkedHashSet<>();
      action.flag("-importcfg").map(cfg -> action.files().get(cfg)).ifPresent(cfg -> {
        for (String line : cfg.split("\n")) {
          if (line.startsWith("packagefile ") && line.contains("=")) {
            imports.add(line.substring("packagefile ".length(), line.indexOf('=')));
          }
        }
      });
      List<Listing> listings = new ArrayList<>();
      listings.add(listing(dir, true));
      files.subList(goFiles.size(), files.size()).stream().map(Path::getParent).distinct()
          .forEach(d -> listings.add(listing(d, false)));
      String importPath = action.importPath();
      tracked.put(importPath, new Tracked(importPath, index++, action, List.copyOf(listings),
          List.copyOf(files), Set.copyOf(imports)));
      moduleFiles.addAll(moduleFiles(dir));
    }
    for (Path file : moduleFiles) {
      FileState state = stateOf(file, null);
      if (state != null) {
        states.put(file, state);
      }
    }
    // after the sources' state: an edit in between makes the archive newer than the state
    // (recompiled once more), never older
    GoToolchain.Result cached = invocation.go().run(invocation.directory(), invocation.env(),
        probing.goBuild("-n"));
    if (!cached.ok()) {
      return "go build -n failed: " + cached.stderr().strip();
    }
    GoBuildScript current = GoBuildScript.parse(cached.stderr());
    if (current.link().isEmpty()) {
      return "go build -n printed no link";
    }
    LinkAction link = current.link().get();
    if (link.importcfg().contains("\\nbuild\\tvcs.")) {
      // The stamp says which commit and whether the tree was modified. Once modified, edits
      // leave it as it is until the next commit, which changes the files followed here.
      if (!link.importcfg().contains("\\nbuild\\tvcs.modified=true")) {
        return "the binary is stamped as built from an unmodified checkout: the first edit "
            + "changes that stamp, so it goes through go build";
      }
      moduleFiles.addAll(gitHeadFiles(invocation.directory()));
      for (Path file : moduleFiles) {
        FileState state = stateOf(file, null);
        if (state != null) {
          states.put(file, state);
        }
      }
    }
    Map<String, String> archives = new HashMap<>();
    for (String line : link.importcfg().split("\n")) {
      if (line.startsWith("packagefile ") && line.contains("=")) {
        String archive = line.substring(line.indexOf('=') + 1);
        String pkg = line.substring("packagefile ".length(), line.indexOf('='));
        if (archive.contains(GoBuildScript.WORK) && !tracked.containsKey(pkg)) {
          return pkg + " is not in the go command's cache";
        }
        archives.put(pkg, archive);
      }
    }
    Path work = Files.createDirectories(stateDirectory.resolve("work"));
    List<String> compiledHere = new ArrayList<>();
    for (Tracked pkg : tracked.values()) {
      String archive = archives.get(pkg.importPath());
      if (archive == null) {
        return pkg.importPath() + " is not in the link's import configuration";
      }
      if (archive.contains(GoBuildScript.WORK)) {
        // edited since go build ran, or compiled with a version stamp that -n cannot
        // reproduce: compiled here, from the sources' learned state
        // a name of its own: a learning that outlived its wait may still be writing
        Path compiled = Files.createTempFile(work, pkg.index() + "-learned-", ".a");
        Outcome failed = compile(invocation, pkg, archives, compiled, states);
        if (failed != null) {
          return ((Outcome.Fallback) failed).reason();
        }
        archives.put(pkg.importPath(), compiled.toString());
        compiledHere.add(pkg.importPath());
      }
    }
    if (!tracked.containsKey(invocation.importPath())) {
      return invocation.importPath() + " is not built from sources the direct builder follows";
    }
    // The output go build linked from exactly these inputs carries the link's action ID:
    // then it is current, and the first direct build does not relink it.
    boolean linkedAlready = compiledHere.isEmpty() && link.args().stream()
        .filter(a -> a.startsWith("-buildid=")).findFirst()
        .map(a -> a.substring("-buildid=".length()).split("/")[0])
        .filter(actionId -> goBuildId(invocation.out()).startsWith(actionId + "/"))
        .isPresent();
    return new Learned(invocation.key(), Collections.unmodifiableMap(tracked),
        Map.copyOf(archives), link,
        Map.copyOf(states), List.copyOf(moduleFiles), linkedAlready);
  }

  private String goModCache(Invocation invocation) throws IOException {
    if (goModCache == null) {
      GoToolchain.Result result = invocation.go().run(invocation.directory(), invocation.env(),
          List.of("env", "GOMODCACHE"));
      if (!result.ok()) {
        throw new IOException("go env GOMODCACHE failed: " + result.stderr().strip());
      }
      goModCache = result.stdout().strip();
    }
    return goModCache;
  }

  /** The files that change when a commit is made or checked out in the enclosing Git tree. */
  private static List<Path> gitHeadFiles(Path directory) throws IOException {
    for (Path d = directory.toAbsolutePath(); d != null; d = d.getParent()) {
      Path git = d.resolve(".git");
      if (Files.isDirectory(git)) {
        List<Path> files = new ArrayList<>(List.of(git.resolve("HEAD"),
            git.resolve("packed-refs")));
        String head = Files.readString(git.resolve("HEAD")).strip();
        if (head.startsWith("ref: ")) {
          files.add(git.resolve(head.substring("ref: ".length())));
        }
        return files;
      }
      if (Files.isRegularFile(git)) {
        throw new IOException(git + " is a worktree link; version-stamped direct builds "
            + "follow only plain checkouts");
      }
    }
    return List.of();
  }

  private static final byte[] GO_BUILD_ID_NOTE =
      {4, 0, 0, 0, 0x53, 0, 0, 0, 4, 0, 0, 0, 'G', 'o', 0, 0};

  /**
   * The Go build ID of a little-endian ELF binary ({@code go tool buildid}): the note near its
   * start. Empty if there is none or the file cannot be read.
   */
  static String goBuildId(Path binary) {
    byte[] head;
    try (var in = Files.newInputStream(binary)) {
      head = in.readNBytes(64 * 1024);
    } catch (IOException e) {
      return "";
    }
    for (int i = 0; i + GO_BUILD_ID_NOTE.length + 0x53 <= head.length; i++) {
      if (Arrays.equals(head, i, i + GO_BUILD_ID_NOTE.length, GO_BUILD_ID_NOTE, 0,
          GO_BUILD_ID_NOTE.length)) {
        int start = i + GO_BUILD_ID_NOTE.length;
        return new String(head, start, 0x53, StandardCharsets.US_ASCII);
      }
    }
    return "";
  }

  /** The .go files a compile reads, absolute. */
  private static List<Path> sourceFiles(Path directory, PackageAction action) {
    List<Path> files = new ArrayList<>();
    List<String> args = action.args();
    for (int i = args.size() - 1; i >= 0 && args.get(i).endsWith(".go"); i--) {
      files.add(0, directory.resolve(action.directory()).resolve(args.get(i)).normalize());
    }
    return files;
  }

  private static List<Path> embeddedFiles(String embedcfg) {
    try {
      JsonNode files = JSON.readTree(embedcfg).path("Files");
      List<Path> paths = new ArrayList<>();
      files.elements().forEachRemaining(f -> paths.add(Path.of(f.asText())));
      return paths;
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable embedcfg: " + e.getMessage(), e);
    }
  }

  /** go.mod, go.sum, go.work and go.work.sum from the package's directory up. */
  private static List<Path> moduleFiles(Path dir) {
    List<Path> files = new ArrayList<>();
    for (Path d = dir; d != null; d = d.getParent()) {
      for (String name : List.of("go.mod", "go.sum", "go.work", "go.work.sum")) {
        files.add(d.resolve(name));
      }
      if (Files.isRegularFile(d.resolve("go.mod"))) {
        files.add(d.resolve("vendor/modules.txt"));
      }
    }
    return files;
  }

  /**
   * The names in a directory that could change the build: in a package directory the files the
   * go command could compile ({@code sources}), in a directory of embedded files every name
   * (a new file may match an embed pattern) except editors' hidden and backup files.
   */
  private static Listing listing(Path dir, boolean sources) {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(".") && !n.endsWith("~"))
          .filter(n -> !sources || (!n.startsWith("_") && !n.endsWith("_test.go")
              && n.lastIndexOf('.') > 0
              && SOURCE_EXTENSIONS.contains(n.substring(n.lastIndexOf('.') + 1))))
          .forEach(names::add);
    } catch (NoSuchFileException e) {
      // an empty listing: differs from the learned one
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Listing(dir, sources, Set.copyOf(names));
  }

  /** The file's state, {@code before} itself when its size and time are unchanged, or null. */
  private static FileState stateOf(Path file, FileState before) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (before != null && before.sameStat(attributes)) {
      return before;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    GoFileHeader header = file.toString().endsWith(".go")
        ? GoFileHeader.of(new String(bytes, StandardCharsets.UTF_8)) : null;
    return new FileState(attributes.size(), attributes.lastModifiedTime(),
        sha256().digest(bytes), header);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
