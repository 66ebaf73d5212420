package dev.hotreload.core.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.ChangeSet;
import dev.hotreload.core.contract.WatcherContract;
import dev.hotreload.core.testing.GoWorkspace;
import dev.hotreload.spi.WatchRequest;
import dev.hotreload.spi.Watcher;
import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoWatcherTest extends WatcherContract {
  @TempDir Path dir;

  @Override
  protected Watcher watcher() {
    return GoWatcher.create();
  }

  @Override
  protected Path workspace() throws Exception {
    return GoWorkspace.create(dir, "hi").root();
  }

  @Override
  protected Path editSource(Path workspace) throws Exception {
    Path file = workspace.resolve("internal/greet/greet.go");
    Files.writeString(file, Files.readString(file) + "\n// edited " + System.nanoTime() + "\n");
    return file;
  }

  @Test
  void ignoresTestsUnimportedPackagesAndEditorFiles_butSeesGoMod() throws Exception {
    Path workspace = workspace();
    Path unused = Files.createDirectories(workspace.resolve("internal/unused"));
    Files.writeString(unused.resolve("unused.go"), "package unused\n");
    BlockingQueue<ChangeSet> batches = new LinkedBlockingQueue<>();
    try (Closeable watch = watcher().watch(new WatchRequest(workspace, "./cmd/server"), batches::add)) {
      Files.writeString(workspace.resolve("internal/greet/greet_test.go"), "package greet\n");
      Files.writeString(workspace.resolve("internal/greet/.greet.go.swp"), "x");
      Files.writeString(unused.resolve("unused.go"), "package unused\n// edited\n");
      Files.writeString(workspace.resolve("README.md"), "docs");
      assertThat(batches.poll(300, TimeUnit.MILLISECONDS)).isNull();

      Files.writeString(workspace.resolve("go.mod"),
          Files.readString(workspace.resolve("go.mod")) + "\n");
      assertThat(batches.poll(10, TimeUnit.SECONDS).paths()).contains(workspace.resolve("go.mod"));
    }
  }

  @Test
  void newlyImportedPackage_isWatchedAfterTheImportIsSaved() throws Exception {
    Path workspace = workspace();
    Path extra = Files.createDirectories(workspace.resolve("internal/extra"));
    Files.writeString(extra.resolve("extra.go"), "package extra\n\nconst X = 1\n");
    BlockingQueue<ChangeSet> batches = new LinkedBlockingQueue<>();
    try (Closeable watch = watcher().watch(new WatchRequest(workspace, "./cmd/server"), batches::add)) {
      Path greet = workspace.resolve("internal/greet/greet.go");
      Files.writeString(greet, "package greet\n\nimport \"" + GoWorkspace.MODULE
          + "/internal/extra\"\n\nconst Text = \"hi\"\n\nvar _ = extra.X\n");
      assertThat(batches.poll(10, TimeUnit.SECONDS).paths()).contains(greet);
      Thread.sleep(1000); // the watcher re-resolves packages after the batch

      Files.writeString(extra.resolve("extra.go"), "package extra\n\nconst X = 2\n");
      assertThat(batches.poll(10, TimeUnit.SECONDS)).isNotNull().extracting(ChangeSet::paths)
          .asList().contains(extra.resolve("extra.go"));
    }
  }
}
