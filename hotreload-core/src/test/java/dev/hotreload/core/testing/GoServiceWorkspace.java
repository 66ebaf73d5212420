package dev.hotreload.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A multi-package Go service on disk, for the builder's tests and benchmarks: {@code
 * ./cmd/server} imports {@code internal/api}, which imports {@code internal/store}; all three
 * import the leaf {@code internal/text}, so an edit there that changes its export data
 * recompiles three importers. {@code internal/api} embeds {@code banner.txt}. Each method makes
 * one kind of edit a developer makes.
 */
public final class GoServiceWorkspace {
  /** The module path. */
  public static final String MODULE = "example.com/hotreload/service";
  /** The main package, relative to the module root. */
  public static final String MAIN_PACKAGE = "./cmd/server";

  private final Path root;
  /**
   * Starts where no earlier run started: the go command's cache is keyed by content, so an edit
   * whose text an earlier run built would be a cache hit for go build and not for a builder
   * without that cache.
   */
  private int edits = (int) (System.nanoTime() % 1_000_000) * 1_000;

  private GoServiceWorkspace(Path root) {
    this.root = root;
  }

  /**
   * Writes the service into a directory.
   *
   * @param root an empty directory
   * @return the workspace
   * @throws IOException if writing fails
   */
  public static GoServiceWorkspace create(Path root) throws IOException {
    GoServiceWorkspace w = new GoServiceWorkspace(root);
    w.write("go.mod", "module " + MODULE + "\n\ngo 1.22\n");
    w.write("cmd/server/main.go", """
        package main

        import (
        \t"fmt"
        \t"net/http"
        \t"os"

        \t"example.com/hotreload/service/internal/api"
        \t"example.com/hotreload/service/internal/text"
        )

        const greeting = "service 0"

        func main() {
        \tport := os.Getenv("PORT")
        \tfmt.Println(text.Title(greeting), "listening on", port)
        \tif err := http.ListenAndServe("127.0.0.1:"+port, api.Handler(greeting)); err != nil {
        \t\tfmt.Fprintln(os.Stderr, err)
        \t\tos.Exit(1)
        \t}
        }
        """);
    w.write("internal/api/api.go", """
        package api

        import (
        \t_ "embed"
        \t"fmt"
        \t"net/http"

        \t"example.com/hotreload/service/internal/store"
        \t"example.com/hotreload/service/internal/text"
        )

        //go:embed banner.txt
        var banner string

        // Handler answers with the greeting, the banner and the visit count.
        func Handler(greeting string) http.Handler {
        \tvisits := store.New()
        \treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        \t\tn := visits.Add(r.URL.Path)
        \t\tfmt.Fprintf(w, "%s\\n%s%d %s\\n", text.Title(greeting), banner, n, describe(n))
        \t})
        }
        """);
    w.write("internal/api/describe.go", """
        package api

        //go:noinline
        func describe(n int) string {
        \tswitch {
        \tcase n == 1:
        \t\treturn "first visit"
        \tcase n < 10:
        \t\treturn "a few visits"
        \t}
        \treturn "many visits"
        }
        """);
    w.write("internal/api/banner.txt", "banner 0\n");
    w.write("internal/store/store.go", """
        package store

        import (
        \t"sync"

        \t"example.com/hotreload/service/internal/text"
        )

        // Counter counts visits per key.
        type Counter struct {
        \tmu     sync.Mutex
        \tcounts map[string]int
        }

        // New makes an empty counter.
        func New() *Counter {
        \treturn &Counter{counts: map[string]int{}}
        }

        // Add counts one visit and returns the key's total.
        func (c *Counter) Add(key string) int {
        \tc.mu.Lock()
        \tdefer c.mu.Unlock()
        \tc.counts[text.Normalize(key)]++
        \treturn c.counts[text.Normalize(key)]
        }
        """);
    w.write("internal/text/text.go", """
        package text

        import "strings"

        // Title upper-cases the first letter: small enough to be inlined into importers.
        func Title(s string) string {
        \tif s == "" {
        \t\treturn s
        \t}
        \treturn strings.ToUpper(s[:1]) + s[1:]
        }

        // Normalize lower-cases and trims a key; not inlined, so its body is not export data.
        //
        //go:noinline
        func Normalize(s string) string {
        \tfor strings.HasSuffix(s, "/") && len(s) > 1 {
        \t\ts = s[:len(s)-1]
        \t}
        \treturn strings.ToLower(s) + suffix
        }

        const suffix = ""
        """);
    return w;
  }

  /**
   * The module root.
   *
   * @return the directory with go.mod
   */
  public Path root() {
    return root;
  }

  /**
   * Changes the greeting constant in the main package.
   *
   * @return the new greeting, to look for in the binary
   * @throws IOException if writing fails
   */
  public String editMain() throws IOException {
    String greeting = "service " + (++edits) + "!".repeat(edits % 5);
    replaceLine("cmd/server/main.go", "const greeting = ", "const greeting = \"" + greeting + "\"");
    return greeting;
  }

  /**
   * Changes a non-inlined function body in the leaf package: its export data stays the same.
   *
   * @return the new text, to look for in the binary
   * @throws IOException if writing fails
   */
  public String editLeafBody() throws IOException {
    String suffix = "-" + (++edits);
    replaceLine("internal/text/text.go", "const suffix = ", "const suffix = \"" + suffix + "\"");
    return suffix;
  }

  /**
   * Changes the body of the leaf's inlinable {@code Title}: its export data changes, and the
   * three importers that inline it must be recompiled.
   *
   * @return the new marker text, to look for in the binary
   * @throws IOException if writing fails
   */
  public String editInlinableBody() throws IOException {
    String marker = "[" + (++edits) + "]";
    replaceLine("internal/text/text.go", "\treturn strings.ToUpper(s[:1]) + s[1:]",
        "\treturn strings.ToUpper(s[:1]) + s[1:] + \"" + marker + "\"");
    return marker;
  }

  /**
   * Adds an exported function to the leaf package (new export data, same imports).
   *
   * @return the function's name
   * @throws IOException if writing fails
   */
  public String addExportedFunc() throws IOException {
    String name = "Added" + (++edits);
    append("internal/text/text.go",
        "\n// " + name + " is new.\nfunc " + name + "() string { return \"" + name + "\" }\n");
    return name;
  }

  /**
   * Changes the signature of an exported method of the store and its caller in the same
   * package set: {@code Add} returns the total as int64.
   *
   * @throws IOException if writing fails
   */
  public void changeSignature() throws IOException {
    replaceLine("internal/store/store.go", "func (c *Counter) Add(key string) int {",
        "func (c *Counter) Add(key string) int64 {");
    replaceLine("internal/store/store.go", "\treturn c.counts[text.Normalize(key)]",
        "\treturn int64(c.counts[text.Normalize(key)])");
    replaceLine("internal/api/api.go", "\t\tfmt.Fprintf(w, ",
        "\t\tfmt.Fprintf(w, \"%s\\n%s%d %s\\n\", text.Title(greeting), banner, n, "
            + "describe(int(n)))");
  }

  /**
   * Edits the file {@code internal/api} embeds.
   *
   * @return the new banner
   * @throws IOException if writing fails
   */
  public String editEmbedded() throws IOException {
    String banner = "banner " + (++edits);
    write("internal/api/banner.txt", banner + "\n");
    return banner;
  }

  /**
   * Adds a file to {@code internal/api}.
   *
   * @throws IOException if writing fails
   */
  public void addFile() throws IOException {
    write("internal/api/extra.go", "package api\n\n// Extra is in a new file.\n"
        + "func Extra() string { return \"extra " + (++edits) + "\" }\n");
  }

  /**
   * Adds an import to the main package.
   *
   * @throws IOException if writing fails
   */
  public void addImport() throws IOException {
    replaceLine("cmd/server/main.go", "\t\"os\"", "\t\"os\"\n\t\"runtime\"");
    replaceLine("cmd/server/main.go", "\tport := os.Getenv(\"PORT\")",
        "\tport := os.Getenv(\"PORT\")\n\tfmt.Println(runtime.Version())");
  }

  /**
   * Breaks the store's code: an undefined name.
   *
   * @throws IOException if writing fails
   */
  public void breakStore() throws IOException {
    replaceLine("internal/store/store.go", "\tc.mu.Lock()", "\tc.mu.Lock()\n\tundefinedName++");
  }

  /**
   * Mends {@link #breakStore()} the way a developer does: the broken line becomes a different,
   * valid one, so the store's code differs from before the break.
   *
   * @throws IOException if writing fails
   */
  public void fixStore() throws IOException {
    String file = read("internal/store/store.go");
    write("internal/store/store.go", file.replace("\tundefinedName++\n", "\t_ = key\n"));
  }

  /**
   * Changes go.mod's go version line.
   *
   * @throws IOException if writing fails
   */
  public void editGoMod() throws IOException {
    write("go.mod", "module " + MODULE + "\n\ngo 1.23\n");
  }

  private void replaceLine(String file, String startsWith, String replacement)
      throws IOException {
    StringBuilder out = new StringBuilder();
    boolean found = false;
    for (String line : read(file).split("\n", -1)) {
      if (!found && line.startsWith(startsWith)) {
        out.append(replacement);
        found = true;
      } else {
        out.append(line);
      }
      out.append('\n');
    }
    if (!found) {
      throw new IllegalStateException(file + " has no line starting with " + startsWith);
    }
    out.setLength(out.length() - 1);
    write(file, out.toString());
  }

  private void append(String file, String text) throws IOException {
    write(file, read(file) + text);
  }

  private String read(String file) throws IOException {
    return Files.readString(root.resolve(file));
  }

  /** Saves aside and renames over, as many editors do: a reader never sees half a file. */
  private void write(String file, String text) throws IOException {
    Path target = root.resolve(file);
    Files.createDirectories(target.getParent());
    Path aside = target.resolveSibling("." + target.getFileName() + ".saving");
    Files.writeString(aside, text);
    Files.move(aside, target, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
