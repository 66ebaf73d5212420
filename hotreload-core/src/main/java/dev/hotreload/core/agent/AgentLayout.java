package dev.hotreload.core.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the agent lives in a dev container and how it is invoked: the names and paths that the
 * dev image, the rewritten manifest and every transport must agree on, written once.
 *
 * <pre>{@code
 * /ko-app/hotreload-agent run --dir /var/run/hotreload/app -- /ko-app/server --port 8080
 * /ko-app/hotreload-agent install --dir /var/run/hotreload/app --timeout 30s [--stream] < payload
 * }</pre>
 */
public final class AgentLayout {
  /** The agent's file name in images and caches. */
  public static final String NAME = "hotreload-agent";
  /** Where ko-style images keep binaries; the agent sits beside the app. */
  public static final String KO_APP = "/ko-app";
  /** Where ko-style dev images carry the agent. */
  public static final String PATH = KO_APP + "/" + NAME;
  /**
   * Where the pod's scratch volume for agents is mounted; each container's agent keeps its
   * socket and its app's swappable binary in a directory of its own below it.
   */
  public static final String STATE_DIRECTORY = "/var/run/hotreload";
  /** The name of the pod volume (an emptyDir) mounted at {@link #STATE_DIRECTORY}. */
  public static final String VOLUME_NAME = "hotreload";

  private AgentLayout() {}

  /**
   * The agent directory of one container: two containers of one pod that run the same image
   * share the scratch volume but not their socket or binary.
   *
   * @param container the container's name
   * @return {@code /var/run/hotreload/<container>}
   */
  public static String stateDirectory(String container) {
    return STATE_DIRECTORY + "/" + container;
  }

  /**
   * The directory an agent was started with, read from a container's command.
   *
   * @param command a container's command
   * @return the {@code --dir} of {@code agent run}, empty if the command does not start the
   *     agent or names none (the agent then uses {@link #STATE_DIRECTORY})
   */
  public static Optional<String> stateDirectoryOf(List<String> command) {
    if (!isAgentCommand(command)) {
      return Optional.empty();
    }
    for (int i = 1; i < command.size() && !command.get(i).equals("--"); i++) {
      String arg = command.get(i);
      if ((arg.equals("--dir") || arg.equals("-dir")) && i + 1 < command.size()) {
        return Optional.of(command.get(i + 1));
      }
      if (arg.startsWith("--dir=") || arg.startsWith("-dir=")) {
        return Optional.of(arg.substring(arg.indexOf('=') + 1));
      }
    }
    return Optional.empty();
  }

  /**
   * The command that makes the agent PID 1 of a container, supervising the app.
   *
   * @param container the container's name, which names its agent directory
   * @param agentOptions options of {@code run} before the app's command, such as {@code
   *     --stop-signal INT}
   * @param app the app's original command and arguments
   * @return the container's new command
   */
  public static List<String> runCommand(String container, List<String> agentOptions,
      List<String> app) {
    List<String> command =
        new ArrayList<>(List.of(PATH, "run", "--dir", stateDirectory(container)));
    command.addAll(agentOptions);
    command.add("--");
    command.addAll(app);
    return List.copyOf(command);
  }

  /**
   * The command a transport execs in the container to install a binary; stdin then carries
   * one payload ({@link AgentProtocol}), or several one after another with {@code stream}.
   *
   * @param directory the agent's directory in the container ({@link #stateDirectoryOf})
   * @param timeout how long the agent may take for one install
   * @param waitTcp an address the agent waits for after the restart, such as {@code
   *     127.0.0.1:8080}; empty for its fixed settle time
   * @param stream whether stdin carries several payloads ({@code --stream})
   * @return the command
   */
  public static List<String> installCommand(String directory, Duration timeout,
      Optional<String> waitTcp, boolean stream) {
    // No fsync: the agent rebuilds its directory at every container start, so a binary that
    // is lost to a crash of the node is re-sent anyway; fsync costs 30-40 ms per 10 MB.
    List<String> command = new ArrayList<>(List.of(PATH, "install", "--dir", directory,
        "--timeout", Math.max(1, timeout.toSeconds()) + "s", "--fsync=false"));
    waitTcp.ifPresent(address -> {
      command.add("--wait-tcp");
      command.add(address);
    });
    if (stream) {
      command.add("--stream");
    }
    return List.copyOf(command);
  }

  /**
   * The command a transport execs in the container to replace the app's kodata copy; stdin then
   * carries a tar of the directory.
   *
   * @param directory the agent's directory in the container
   * @param timeout how long the agent may take
   * @param waitTcp an address the agent waits for after a restart; empty for its settle time
   * @param restart whether the app restarts on the new data
   * @return the command
   */
  public static List<String> kodataCommand(String directory, Duration timeout,
      Optional<String> waitTcp, boolean restart) {
    List<String> command = new ArrayList<>(List.of(PATH, "kodata", "--dir", directory,
        "--timeout", Math.max(1, timeout.toSeconds()) + "s", "--restart=" + restart));
    waitTcp.ifPresent(address -> {
      command.add("--wait-tcp");
      command.add(address);
    });
    return List.copyOf(command);
  }

  /**
   * Whether a container's command starts the agent: its first element is the agent binary.
   *
   * @param command a container's command
   * @return true for {@code [/ko-app/hotreload-agent, run, …]} and the agent at another path
   */
  public static boolean isAgentCommand(List<String> command) {
    if (command == null || command.isEmpty()) {
      return false;
    }
    String first = command.get(0);
    return first.equals(PATH) || first.endsWith("/" + NAME);
  }
}
