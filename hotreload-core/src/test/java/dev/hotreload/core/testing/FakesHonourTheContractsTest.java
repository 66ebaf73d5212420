package dev.hotreload.core.testing;

import dev.hotreload.Artifact;
import dev.hotreload.Platform;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.contract.ArtifactBuilderContract;
import dev.hotreload.core.contract.TargetContract;
import dev.hotreload.core.contract.TransportContract;
import dev.hotreload.core.contract.WatcherContract;
import dev.hotreload.spi.ArtifactBuilder;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.Transport;
import dev.hotreload.spi.Watcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fakes other tests lean on keep the same promises as the real implementations; a fake that
 * drifted would make those tests prove nothing.
 */
class FakesHonourTheContractsTest {
  @TempDir
  Path temp;

  @Nested
  class RecordingArtifactBuilderContract extends ArtifactBuilderContract {
    private RecordingArtifactBuilder builder;

    @Override
    protected ArtifactBuilder builder() {
      if (builder == null) {
        builder = new RecordingArtifactBuilder(temp); // @TempDir is set after construction
      }
      return builder;
    }

    @Override
    protected Path buildableWorkspace() {
      return temp;
    }

    @Override
    protected void breakWorkspace(Path workspace) {
      ((RecordingArtifactBuilder) builder()).failWith("undefined: greet");
    }
  }

  @Nested
  class FakeWatcherContract extends WatcherContract {
    private final FakeWatcher watcher = new FakeWatcher();

    @Override
    protected Watcher watcher() {
      return watcher;
    }

    @Override
    protected Path workspace() throws Exception {
      Files.createDirectories(temp.resolve("cmd/server"));
      return temp;
    }

    @Override
    protected Path editSource(Path workspace) throws Exception {
      Path main = workspace.resolve("cmd/server/main.go");
      Files.writeString(main, "package main\n\nfunc main() {}\n// " + System.nanoTime() + "\n");
      if (watcher.watching()) {
        watcher.change("cmd/server/main.go"); // what a real watcher would see
      }
      return main;
    }
  }

  @Nested
  class FakeTransportContract extends TransportContract {
    private final FakeTransport transport = new FakeTransport();
    private final Destination destination = new FakeTarget.Named("fake-1");

    @Override
    protected Transport transport() {
      return transport;
    }

    @Override
    protected Destination destination() {
      return destination;
    }

    @Override
    protected Artifact artifact(int version) throws Exception {
      Path file = temp.resolve("artifact-" + version);
      Files.writeString(file, "build " + version, StandardCharsets.UTF_8);
      return new Artifact(file, GoBuilder.sha256(file), Files.size(file), Platform.LINUX_AMD64,
          "example.com/app");
    }

    @Override
    protected String runningSha256(Destination d) throws Exception {
      Path running = temp.resolve("running-" + d.id());
      Files.writeString(running, transport.running().get(d.id()), StandardCharsets.UTF_8);
      return GoBuilder.sha256(running);
    }
  }

  @Nested
  class FakeTargetContract extends TargetContract {
    private final FakeTarget target = new FakeTarget("pod-a", "pod-b");

    @Override
    protected Target target() {
      return target;
    }

    @Override
    protected int initialDestinations() {
      return 2;
    }

    @Override
    protected Class<? extends Transport> declaredTransport() {
      return null;
    }

    @Override
    protected boolean addDestination(TargetHandle handle) {
      target.add("pod-c");
      return true;
    }
  }
}
