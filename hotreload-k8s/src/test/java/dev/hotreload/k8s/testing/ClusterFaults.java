package dev.hotreload.k8s.testing;

import dev.hotreload.core.agent.AgentLayout;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real faults on the local cluster ({@code scripts/cluster}), whose node is this machine: its
 * pods' processes are in this machine's {@code /proc} and their emptyDir volumes under the
 * kubelet's root directory. Each method does the real thing (a SIGKILL, a deleted pod, a killed
 * API server, a volume filled until the kernel answers ENOSPC) and fails with a message naming
 * what is missing when it cannot.
 */
public final class ClusterFaults {
  private static final String FILLER = "filler-from-a-test";

  private ClusterFaults() {}

  /**
   * Kills (SIGKILL) the processes of a pod whose command line starts with a prefix.
   *
   * @param pod the pod's name (its containers' {@code HOSTNAME})
   * @param commandPrefix for example {@code AgentLayout.PATH + " run "}
   * @return how many were killed
   * @throws Exception if a kill fails
   */
  public static int kill(String pod, String commandPrefix) throws Exception {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String command = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
          String environ = Files.readString(proc.resolve("environ"));
          if (command.startsWith(commandPrefix)
              && Arrays.asList(environ.split("\0")).contains("HOSTNAME=" + pod)) {
            found.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile, or not ours to read
        }
      }
    }
    for (long pid : found) {
      Process kill = new ProcessBuilder("kill", "-KILL", String.valueOf(pid)).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -KILL " + pid + " (" + commandPrefix + "in pod "
            + pod + ") failed; the faults need root on the cluster's node");
      }
    }
    return found.size();
  }

  /**
   * Kills a pod's agent (the container's first process): the container ends and the kubelet
   * starts it again from its image.
   *
   * @param pod the pod's name
   * @throws Exception if there is not exactly one agent to kill
   */
  public static void killAgent(String pod) throws Exception {
    int killed = kill(pod, AgentLayout.PATH + " run ");
    if (killed != 1) {
      throw new IllegalStateException(killed + " agent processes of pod " + pod + " in this "
          + "machine's /proc, expected 1 (the faults need the local cluster's node to be this "
          + "machine, and root)");
    }
  }

  /**
   * Kills the pod's {@code agent install} processes: the open install stream of the session
   * and any install running, whatever it is doing.
   *
   * @param pod the pod's name
   * @return how many were killed
   * @throws Exception if a kill fails
   */
  public static int killInstalls(String pod) throws Exception {
    return kill(pod, AgentLayout.PATH + " install ");
  }

  /**
   * Deletes a pod at once (no grace period), as a node drain or {@code kubectl delete --force}
   * would.
   *
   * @param client the cluster
   * @param namespace the pod's namespace
   * @param pod its name
   * @throws Exception if the API server refuses
   */
  public static void deletePod(ApiClient client, String namespace, String pod) throws Exception {
    new CoreV1Api(client).deleteNamespacedPod(pod, namespace).gracePeriodSeconds(0).execute();
  }

  /**
   * Kills the API server process, as a crash would; the node and its pods keep running.
   *
   * @throws Exception if {@code scripts/cluster apiserver stop} fails
   */
  public static void stopApiServer() throws Exception {
    LocalCluster.script(1, "apiserver", "stop");
  }

  /**
   * Starts the API server again and waits until it is ready.
   *
   * @throws Exception if {@code scripts/cluster apiserver start} fails
   */
  public static void startApiServer() throws Exception {
    LocalCluster.script(3, "apiserver", "start");
  }

  /**
   * Fills the pod's agent volume (which must be a size-limited memory-backed emptyDir, so that
   * the kernel answers ENOSPC to its writers) with a file until it is full.
   *
   * @param client the cluster
   * @param namespace the pod's namespace
   * @param pod its name
   * @return the file that fills it; {@link #freeAgentVolume(Path)} deletes it
   * @throws Exception if the volume is not found here or fills without ENOSPC
   */
  public static Path fillAgentVolume(ApiClient client, String namespace, String pod)
      throws Exception {
    V1Pod found = new CoreV1Api(client).readNamespacedPod(pod, namespace).execute();
    Path volume = LocalCluster.stateDirectory().resolve("kubelet/pods")
        .resolve(found.getMetadata().getUid())
        .resolve("volumes/kubernetes.io~empty-dir").resolve(AgentLayout.VOLUME_NAME);
    if (!Files.isDirectory(volume)) {
      throw new IllegalStateException("no agent volume of pod " + pod + " at " + volume
          + " (the faults need the local cluster's node to be this machine, and root)");
    }
    Path filler = volume.resolve(FILLER);
    byte[] block = new byte[1 << 20];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (written < 4L << 30) {
        out.write(block);
        written += block.length;
      }
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("No space left on device")) {
        return filler;
      }
      throw e;
    }
    Files.deleteIfExists(filler);
    throw new IllegalStateException("wrote 4 GiB into " + volume + " without ENOSPC: the pod's "
        + AgentLayout.VOLUME_NAME + " volume must be an emptyDir with medium Memory and a "
        + "sizeLimit");
  }

  /**
   * Deletes what {@link #fillAgentVolume} wrote.
   *
   * @param filler the file it returned
   * @throws IOException if it cannot be deleted
   */
  public static void freeAgentVolume(Path filler) throws IOException {
    Files.deleteIfExists(filler);
  }
}
