package dev.hotreload.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Ports;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The open side of a {@link DockerTarget}: notices each container's new runs. */
final class ContainerWatcher implements TargetHandle {
  private final DockerClient docker;
  private final List<String> references;
  private final TargetRequest request;
  private final boolean followLogs;
  private final Duration pollInterval;
  /** Per container reference, its run that receives binaries now. */
  private final Map<String, DockerContainer> current = new ConcurrentHashMap<>();
  private final Map<String, Closeable> logFollowers = new ConcurrentHashMap<>();
  private final Map<String, Optional<Platform>> imagePlatforms = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "hotreload-docker-watch");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean closed;

  ContainerWatcher(DockerClient docker, List<String> references, TargetRequest request,
      boolean followLogs, Duration pollInterval) {
    this.docker = docker;
    this.references = references;
    this.request = request;
    this.followLogs = followLogs;
    this.pollInterval = pollInterval;
  }

  void start() throws IOException {
    for (String reference : references) {
      DockerContainer container = inspect(reference, true).orElseThrow();
      current.put(reference, container);
      followLogs(reference, container);
    }
    timer.scheduleWithFixedDelay(this::poll, pollInterval.toMillis(), pollInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public List<dev.hotreload.spi.Destination> destinations() {
    return List.copyOf(current.values());
  }

  private void poll() {
    for (String reference : references) {
      if (closed) {
        return;
      }
      try {
        Optional<DockerContainer> now = inspect(reference, false);
        DockerContainer before = current.get(reference);
        if (now.isEmpty()) {
          if (before != null && current.remove(reference, before)) {
            request.events().log(LogEvent.info("Docker container " + before.name()
                + " stopped; it gets the current binary when it starts again"));
          }
        } else if (!now.get().equals(before)) {
          current.put(reference, now.get());
          request.events().log(LogEvent.info("Docker container " + now.get().name()
              + " started again (" + now.get().startedAt() + "): delivering the current binary"));
          followLogs(reference, now.get());
          request.events().destinationsAdded(List.of(now.get()));
        }
      } catch (RuntimeException | IOException e) {
        // The engine is restarting or briefly unreachable: the next poll tries again.
        request.events().log(LogEvent.debug("Docker container " + reference + ": "
            + e.getMessage()));
      }
    }
  }

  /**
   * The container's current run if it runs the agent; with {@code strict}, what is wrong with it
   * otherwise.
   */
  private Optional<DockerContainer> inspect(String reference, boolean strict) throws IOException {
    InspectContainerResponse info;
    try {
      info = docker.inspectContainerCmd(reference).exec();
    } catch (NotFoundException e) {
      if (strict) {
        throw new IOException("Docker container '" + reference + "' does not exist: start it "
            + "from the dev image (DockerDevImage) first, and name it by id or name", e);
      }
      return Optional.empty();
    }
    String name = Optional.ofNullable(info.getName()).orElse(reference).replaceFirst("^/", "");
    InspectContainerResponse.ContainerState state = info.getState();
    if (state == null || !Boolean.TRUE.equals(state.getRunning())) {
      if (strict) {
        throw new IOException("Docker container " + name + " is not running (status "
            + (state == null ? "unknown" : state.getStatus()) + "): start it before the session");
      }
      return Optional.empty();
    }
    List<String> command = new ArrayList<>();
    command.add(info.getPath());
    command.addAll(Arrays.asList(Optional.ofNullable(info.getArgs()).orElse(new String[0])));
    if (!AgentLayout.isAgentCommand(command)) {
      if (strict) {
        throw new IOException("Docker container " + name + " runs " + command + ", not the "
            + "hotreload agent: start it from the image DockerDevImage builds (its entrypoint "
            + "is " + AgentLayout.PATH + " run -- …) and do not override its entrypoint");
      }
      return Optional.empty();
    }
    return Optional.of(new DockerContainer(docker, info.getId(), name, state.getStartedAt(),
        AgentLayout.stateDirectoryOf(command).orElse(AgentLayout.STATE_DIRECTORY),
        appPort(info), platformOf(info.getImageId()), publishedPorts(info), addressOf(info)));
  }

  /** The lowest exposed TCP port: what the app most likely listens on. */
  private static Optional<Integer> appPort(InspectContainerResponse info) {
    ExposedPort[] exposed = info.getConfig() == null ? null : info.getConfig().getExposedPorts();
    return Arrays.stream(Optional.ofNullable(exposed).orElse(new ExposedPort[0]))
        .filter(port -> port.getProtocol() == InternetProtocol.TCP)
        .map(ExposedPort::getPort)
        .min(Comparator.naturalOrder());
  }

  private static Map<Integer, InetSocketAddress> publishedPorts(InspectContainerResponse info) {
    Map<Integer, InetSocketAddress> published = new LinkedHashMap<>();
    if (info.getNetworkSettings() == null || info.getNetworkSettings().getPorts() == null) {
      return published;
    }
    for (Map.Entry<ExposedPort, Ports.Binding[]> entry
        : info.getNetworkSettings().getPorts().getBindings().entrySet()) {
      Ports.Binding[] bindings = entry.getValue();
      if (bindings == null || bindings.length == 0
          || entry.getKey().getProtocol() != InternetProtocol.TCP) {
        continue;
      }
      Ports.Binding binding = bindings[0];
      String host = binding.getHostIp();
      // A port published on every interface is reached through the loopback one.
      if (host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
        host = "127.0.0.1";
      }
      try {
        published.put(entry.getKey().getPort(),
            new InetSocketAddress(host, Integer.parseInt(binding.getHostPortSpec())));
      } catch (NumberFormatException e) {
        // a range, not yet assigned: not an address to use
      }
    }
    return published;
  }

  private static Optional<String> addressOf(InspectContainerResponse info) {
    if (info.getNetworkSettings() == null) {
      return Optional.empty();
    }
    String address = info.getNetworkSettings().getIpAddress();
    if (address != null && !address.isBlank()) {
      return Optional.of(address);
    }
    Map<String, ContainerNetwork> networks = info.getNetworkSettings().getNetworks();
    return networks == null ? Optional.empty() : networks.values().stream()
        .map(ContainerNetwork::getIpAddress).filter(Objects::nonNull)
        .filter(ip -> !ip.isBlank()).findFirst();
  }

  private Optional<Platform> platformOf(String imageId) {
    return imagePlatforms.computeIfAbsent(imageId, id -> {
      try {
        var image = docker.inspectImageCmd(id).exec();
        return image.getOs() == null || image.getArch() == null ? Optional.empty()
            : Optional.of(Platform.of(image.getOs(), image.getArch()));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    });
  }

  private void followLogs(String reference, DockerContainer container) {
    if (!followLogs) {
      return;
    }
    Closeable previous = logFollowers.remove(reference);
    closeQuietly(previous);
    int since = (int) Instant.parse(container.startedAt()).getEpochSecond();
    LineSplitter callback = new LineSplitter(container);
    docker.logContainerCmd(container.containerId()).withStdOut(true).withStdErr(true)
        .withFollowStream(true).withSince(since).exec(callback);
    logFollowers.put(reference, callback);
  }

  /** Turns the container's output into lines for the session. */
  private final class LineSplitter extends ResultCallback.Adapter<Frame> {
    private final DockerContainer container;
    private final Map<Object, StringBuilder> partial = new ConcurrentHashMap<>();

    LineSplitter(DockerContainer container) {
      this.container = container;
    }

    @Override
    public void onNext(Frame frame) {
      StringBuilder buffer = partial.computeIfAbsent(frame.getStreamType(),
          type -> new StringBuilder());
      buffer.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
      int newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        String line = buffer.substring(0, newline);
        buffer.delete(0, newline + 1);
        request.events().output(container, line.endsWith("\r")
            ? line.substring(0, line.length() - 1) : line);
      }
    }
  }

  private static void closeQuietly(Closeable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (IOException | RuntimeException e) {
        // the stream is gone either way
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    logFollowers.values().forEach(ContainerWatcher::closeQuietly);
    logFollowers.clear();
  }
}
