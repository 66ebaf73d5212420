package dev.hotreload.core.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.Artifact;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.contract.TransportContract;
import dev.hotreload.spi.Destination;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import dev.hotreload.spi.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a shell script as the "binary": the transport does not care what it runs. */
class LocalProcessTransportTest extends TransportContract {
  @TempDir Path dir;
  private TargetHandle handle;

  @AfterEach
  void tearDown() throws Exception {
    if (handle != null) {
      handle.close();
    }
  }

  @Override
  protected Transport transport() {
    return new LocalProcessTransport();
  }

  @Override
  protected Destination destination() throws Exception {
    handle = LocalProcessTarget.create()
        .open(new TargetRequest(LocalProcessTarget.hostPlatform(), TargetEvents.NONE));
    return handle.destinations().get(0);
  }

  @Override
  protected Artifact artifact(int version) throws Exception {
    Path script = dir.resolve("app-" + version);
    String content = "#!/bin/sh\n# version " + version + "\ntrap 'exit 0' TERM\nwhile :; do sleep 0.1; done\n";
    Files.writeString(script, content);
    Files.setPosixFilePermissions(script, Set.of(PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
    return new Artifact(script, GoBuilder.sha256(script), Files.size(script),
        LocalProcessTarget.hostPlatform(), "example.com/app");
  }

  @Override
  protected String runningSha256(Destination destination) throws Exception {
    LocalProcessTarget.LocalProcess process = (LocalProcessTarget.LocalProcess) destination;
    long pid = process.pid().orElseThrow(() -> new AssertionError("no process runs"));
    // The running process's executable is the staged script; its checksum is what runs.
    String command = ProcessHandle.of(pid).orElseThrow().info().arguments()
        .map(List::of).orElse(List.of()).stream().filter(a -> a.contains("hotreload-run-"))
        .findFirst().orElseThrow(() -> new AssertionError("pid " + pid + " runs no staged file"));
    return GoBuilder.sha256(Path.of(command));
  }

  @Test
  void localProcessTarget_declaresThisTransport_otherTargetsDeclareNone() {
    assertThat(LocalProcessTarget.create().defaultTransport())
        .containsInstanceOf(LocalProcessTransport.class);
    Target lambda = request -> null;
    assertThat(lambda.defaultTransport()).isEmpty();
  }
}
