package dev.hotreload.core.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import com.google.common.jimfs.WatchServiceConfiguration;
import dev.hotreload.Change;
import dev.hotreload.ChangeSet;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DirectoryWatcherTest {
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
      .setWatchServiceConfiguration(WatchServiceConfiguration.polling(5, TimeUnit.MILLISECONDS))
      .build());
  private final BlockingQueue<ChangeSet> batches = new LinkedBlockingQueue<>();
  private DirectoryWatcher watcher;

  @AfterEach
  void tearDown() throws Exception {
    if (watcher != null) {
      watcher.close();
    }
    fs.close();
  }

  private ChangeSet next() throws InterruptedException {
    ChangeSet batch = batches.poll(5, TimeUnit.SECONDS);
    assertThat(batch).as("a batch within 5 s").isNotNull();
    return batch;
  }

  @Test
  void reportsAcceptedChanges_andIgnoresRejectedOnes() throws Exception {
    Path dir = Files.createDirectories(fs.getPath("/w/pkg"));
    Files.writeString(dir.resolve("main.go"), "package main");
    watcher = new DirectoryWatcher(fs, Set.of(dir), p -> p.toString().endsWith(".go"),
        Duration.ofMillis(20), batches::add, null);

    Files.writeString(dir.resolve("notes.txt"), "ignored");
    Files.writeString(dir.resolve("main.go"), "package main // edited");

    ChangeSet batch = next();
    assertThat(batch.changes()).containsExactly(new Change(dir.resolve("main.go"), Change.Kind.MODIFIED));
  }

  @Test
  void createdFile_isReportedAsCreated_deletedAsDeleted() throws Exception {
    Path dir = Files.createDirectories(fs.getPath("/w/pkg"));
    watcher = new DirectoryWatcher(fs, Set.of(dir), p -> true, Duration.ofMillis(20),
        batches::add, null);

    Files.writeString(dir.resolve("new.go"), "package main");
    assertThat(next().changes()).containsExactly(new Change(dir.resolve("new.go"), Change.Kind.CREATED));

    Files.delete(dir.resolve("new.go"));
    assertThat(next().changes()).containsExactly(new Change(dir.resolve("new.go"), Change.Kind.DELETED));
  }

  @Test
  void update_startsWatchingNewDirectories_andStopsWatchingDroppedOnes() throws Exception {
    Path a = Files.createDirectories(fs.getPath("/w/a"));
    Path b = Files.createDirectories(fs.getPath("/w/b"));
    watcher = new DirectoryWatcher(fs, Set.of(a), p -> true, Duration.ofMillis(20),
        batches::add, null);

    watcher.update(Set.of(b), p -> true);
    Files.writeString(a.resolve("x.go"), "package a");
    Files.writeString(b.resolve("y.go"), "package b");

    assertThat(next().paths()).containsExactly(b.resolve("y.go"));
    assertThat(watcher.directories()).containsExactly(b);
  }

  @Test
  void afterClose_noMoreBatchesArrive() throws Exception {
    Path dir = Files.createDirectories(fs.getPath("/w/pkg"));
    watcher = new DirectoryWatcher(fs, Set.of(dir), p -> true, Duration.ofMillis(20),
        batches::add, null);

    watcher.close();
    Files.writeString(dir.resolve("late.go"), "package main");

    assertThat(batches.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void macOsDefaultFileSystem_isWatchedThroughFsEvents_everythingElseThroughItsOwnService() {
    assertThat(DirectoryWatcher.usesFsEvents("Mac OS X", java.nio.file.FileSystems.getDefault()))
        .isTrue();
    assertThat(DirectoryWatcher.usesFsEvents("Linux", java.nio.file.FileSystems.getDefault()))
        .isFalse();
    assertThat(DirectoryWatcher.usesFsEvents("Mac OS X", fs)).as("jimfs").isFalse();
  }
}
