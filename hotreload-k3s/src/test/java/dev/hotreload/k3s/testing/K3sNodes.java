package dev.hotreload.k3s.testing;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * K3sContainer as this machine can run it: the node image scripts/k3s-node builds (rancher/k3s
 * cannot be pulled here), and instead of privileged mode, which fails here (the machine's
 * capability bounding set lacks CAP_SYS_RESOURCE), every other capability, no seccomp or
 * AppArmor profile and /dev/kmsg for the kubelet (the node makes /proc/sys writable itself);
 * and the host's cgroups bound without Testcontainers' file-mount check, whose image cannot be
 * pulled here either.
 */
public final class K3sNodes {
  private K3sNodes() {}

  /**
   * An unstarted K3s container of the node image, set up for this machine.
   *
   * @return the container
   */
  public static K3sContainer container() {
    DockerImageName image = DockerImageName.parse(nodeImage())
        .asCompatibleSubstituteFor("rancher/k3s");
    K3sContainer k3s = new K3sContainer(image);
    // The cgroup bind K3sContainer declares makes Testcontainers first check that files can be
    // mounted, with an alpine container it pulls (200 s of retries here, where nothing can be
    // pulled): the same bind goes into the create command instead.
    k3s.setBinds(List.of());
    k3s.withPrivilegedMode(false)
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
            .withBinds(new Bind("/sys/fs/cgroup", new Volume("/sys/fs/cgroup"), AccessMode.rw))
            .withCapAdd(Capability.ALL)
            .withCapDrop(Capability.SYS_RESOURCE)
            .withSecurityOpts(List.of("seccomp=unconfined", "apparmor=unconfined"))
            .withDevices(List.of(Device.parse("/dev/kmsg"))))
        .withStartupTimeout(Duration.ofMinutes(5));
    return k3s;
  }

  /** The image's name, as scripts/k3s-node says (failsafe built it before the ITs). */
  private static String nodeImage() {
    // from a module's directory (the tests) or the repository's (the benchmarks)
    Path script = Path.of("scripts/k3s-node").toAbsolutePath();
    if (!Files.isExecutable(script)) {
      script = Path.of("../scripts/k3s-node").toAbsolutePath().normalize();
    }
    try {
      Process process = new ProcessBuilder(script.toString(), "name").redirectErrorStream(true)
          .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
          .strip();
      if (process.waitFor() != 0 || out.isEmpty()) {
        throw new IllegalStateException(script + " name failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(script + " could not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
