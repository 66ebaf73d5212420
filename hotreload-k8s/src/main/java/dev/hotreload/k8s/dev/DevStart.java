package dev.hotreload.k8s.dev;

import dev.hotreload.Artifact;
import dev.hotreload.LogEvent;
import dev.hotreload.Platform;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.Session;
import dev.hotreload.core.HotReload;
import dev.hotreload.core.agent.AgentBinaries;
import dev.hotreload.core.agent.AgentLayout;
import dev.hotreload.core.agent.AgentManifestTransformer;
import dev.hotreload.core.build.GoBuilder;
import dev.hotreload.core.build.KoConfig;
import dev.hotreload.core.image.BuiltImage;
import dev.hotreload.core.image.ImageBuilder;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.deploy.Deployer;
import dev.hotreload.k8s.manifest.ImageMatcher;
import dev.hotreload.k8s.manifest.ManifestRewriter;
import dev.hotreload.k8s.pod.PodContainer;
import dev.hotreload.k8s.pod.PortForwarder;
import dev.hotreload.k8s.target.KubernetesTarget;
import dev.hotreload.k8s.target.ReadinessGateKeeper;
import dev.hotreload.spi.BuildRequest;
import dev.hotreload.spi.ManifestTransformer;
import dev.hotreload.spi.TargetEvents;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.TargetRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@link KubernetesDev#start()} does, step by step, each step reported to the listener:
 * connect, find the services, read the nodes' platforms, build, rewrite, apply, roll out, start
 * one reload session per service and platform, open the port-forwards.
 */
final class DevStart {
  private final KubernetesDev config;
  private final KubeConnection connection;
  private final ReloadListener listener;
  private final List<ReloadReport> history = new ArrayList<>();
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Map<String, PortForwarder> forwards = new LinkedHashMap<>();
  private final List<TargetHandle> forwardTargets = new ArrayList<>();
  /** Per service and platform, the build its pods must run to be Ready. */
  private final Map<Service, Map<Platform, String>> currentBuilds = new ConcurrentHashMap<>();
  private final List<ReadinessGateKeeper> keepers = new ArrayList<>();
  private Deployer deployer;
  private ApiClient client;

  /** One service: what the manifests call it and where its main package is. */
  record Service(String name, String mainPackage, ImageMatcher matcher, String reference) {}

  DevStart(KubernetesDev config, KubeConnection connection) {
    this.config = config;
    this.connection = connection;
    this.listener = config.listener;
  }

  DevSession run() throws IOException, InterruptedException {
    try {
      return start();
    } catch (IOException | InterruptedException | RuntimeException e) {
      progress("Start failed (" + e.getMessage() + "); undoing what it did", 0);
      sessions.values().forEach(Session::close);
      keepers.forEach(ReadinessGateKeeper::close);
      forwards.values().forEach(PortForwarder::close);
      for (TargetHandle handle : forwardTargets) {
        handle.close();
      }
      if (deployer != null) {
        deployer.restore();
      }
      connection.release(client);
      throw e;
    }
  }

  private DevSession start() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    client = connection.client();
    String namespace = connection.namespace();
    progress("Connected through " + connection + ", namespace " + namespace, t0);

    List<ManifestFiles.File> files = ManifestFiles.read(config.manifests);
    List<Service> services = services(files);
    List<Platform> platforms = config.platform != null ? List.of(config.platform)
        : platformsOfTheNodes();
    progress("Services " + services.stream().map(Service::name).toList() + " for "
        + platforms, t0);

    Map<Service, BuiltImage> images = new LinkedHashMap<>();
    Map<Platform, java.nio.file.Path> agents = new LinkedHashMap<>();
    AgentBinaries agentBinaries = AgentBinaries.createDefault();
    for (Platform platform : platforms) {
      agents.put(platform, agentBinaries.agentFor(platform));
    }
    GoBuilder builder = GoBuilder.create();
    for (Service service : services) {
      long t = System.nanoTime();
      ImageBuilder image = ImageBuilder.forWorkspace(config.workspace).logger(listener::log);
      for (Platform platform : platforms) {
        Artifact binary = builder.build(
            new BuildRequest(config.workspace, service.mainPackage(), platform));
        image.binary(binary).supervisor(platform, agents.get(platform), AgentLayout.PATH);
        currentBuilds.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
            .put(platform, binary.sha256());
      }
      BuiltImage built = config.images.deliver(image, service.name());
      images.put(service, built);
      progress(service.name() + ": built and delivered " + built.reference(), t);
    }

    deployer = new Deployer(client, namespace);
    Map<Service, Set<Workload>> workloads = new LinkedHashMap<>();
    for (ManifestFiles.File file : files) {
      String yaml = file.text();
      for (Service service : services) {
        BuiltImage built = images.get(service);
        ManifestRewriter rewriter = ManifestRewriter.of(service.matcher(),
            new ManifestTransformer.Context(built.reference(), built.entrypoint()),
            AgentManifestTransformer.DEFAULT);
        // A deployment kept after the session has nobody to open the gate of its new pods.
        ManifestRewriter.Result result = (config.keep ? rewriter
            : rewriter.readinessGate(KubernetesDev.READINESS_GATE)).rewriteIfUsed(yaml);
        yaml = result.yaml();
        for (ManifestRewriter.RewrittenContainer c : result.containers()) {
          if (!c.initContainer()) {
            workloads.computeIfAbsent(service, s -> new LinkedHashSet<>())
                .add(new Workload(c.kind(), c.namespace().orElse(namespace), c.workload()));
          }
        }
      }
      long t = System.nanoTime();
      List<Deployer.Applied> applied = deployer.apply(yaml);
      progress("Applied " + file.path() + ": " + applied.stream()
          .map(a -> a.kind() + " " + a.name()).toList(), t);
    }
    // New pods are Ready only once they run the current build: the keepers open their gates,
    // the rollout below included.
    for (Map.Entry<Service, Set<Workload>> entry : workloads.entrySet()) {
      Map<Platform, String> builds = currentBuilds.get(entry.getKey());
      for (Workload w : entry.getValue()) {
        keepers.add(new ReadinessGateKeeper(client,
            KubernetesTarget.workload(w.kind(), w.namespace(), w.name()).apiClient(client),
            KubernetesDev.READINESS_GATE, () -> Set.copyOf(builds.values()), listener::log)
            .start());
      }
    }
    for (Set<Workload> set : workloads.values()) {
      for (Workload w : set) {
        if (w.kind().equals("Deployment")) {
          long t = System.nanoTime();
          progress("Waiting for Deployment " + w.name() + " to roll out", t);
          deployer.awaitRollout(w.namespace(), w.name(), config.rolloutTimeout);
          progress("Deployment " + w.name() + " rolled out", t);
        }
      }
    }

    for (Service service : services) {
      Set<Workload> set = workloads.getOrDefault(service, Set.of());
      if (set.isEmpty()) {
        throw new IOException("Service " + service.name() + " (" + service.reference()
            + ") is named by the manifests but runs in no Pod, Deployment, StatefulSet or "
            + "DaemonSet container");
      }
      for (Platform platform : platforms) {
        String name = platforms.size() == 1 ? service.name()
            : service.name() + "-" + platform.architecture();
        List<KubernetesTarget> targets = new ArrayList<>();
        for (Workload w : set) {
          KubernetesTarget target = KubernetesTarget.workload(w.kind(), w.namespace(), w.name())
              .apiClient(client);
          targets.add(platforms.size() == 1 ? target : target.platform(platform));
        }
        HotReload.Configurator session = HotReload.forWorkspace(config.workspace)
            .name(name)
            .mainPackage(service.mainPackage())
            .platform(platform)
            .target(new ServiceTarget(name, targets))
            .listener(ReloadListener.compose(listener, DevSession.recorder(history),
                currentBuild(currentBuilds.get(service), platform)));
        config.sessionSettings.accept(session);
        sessions.put(name, session.start());
      }
    }
    progress("Watching " + config.workspace + " for " + sessions.keySet(), t0);

    for (Map.Entry<String, int[]> forward : config.portForwards.entrySet()) {
      openForward(client, namespace, forward.getKey(), forward.getValue()[0],
          forward.getValue()[1]);
    }
    return new DevSession(sessions, forwards, forwardTargets, deployer, () -> {
      keepers.forEach(ReadinessGateKeeper::close);
      connection.release(client);
    }, config.keep, listener, history);
  }

  /** Keeps the build a readiness gate waits for at the newest one that reached the pods. */
  private static ReloadListener currentBuild(Map<Platform, String> builds, Platform platform) {
    return new ReloadListener() {
      @Override
      public void reloadEnd(Reload reload, ReloadReport report) {
        if (report.succeeded()) {
          report.artifact().ifPresent(artifact -> builds.put(platform, artifact.sha256()));
        }
      }
    };
  }

  /** The nodes' platforms; without access to nodes, .ko.yaml's defaultPlatforms as ko uses. */
  private List<Platform> platformsOfTheNodes() throws IOException {
    try {
      return NodePlatforms.of(client);
    } catch (IOException e) {
      List<String> koDefaults = KoConfig.load(config.workspace).defaultPlatforms();
      if (koDefaults.isEmpty()) {
        throw e;
      }
      listener.log(LogEvent.warn(e.getMessage() + "; building for .ko.yaml's defaultPlatforms "
          + koDefaults));
      return koDefaults.stream().map(Platform::parse).toList();
    }
  }

  private List<Service> services(List<ManifestFiles.File> files) throws IOException {
    GoModules modules = GoModules.of(config.workspace);
    Set<String> importPaths = new LinkedHashSet<>();
    Set<String> images = new LinkedHashSet<>();
    for (ManifestFiles.File file : files) {
      importPaths.addAll(KoReferences.importPaths(file.text()));
      config.mappedImages.keySet().stream().filter(file.text()::contains).forEach(images::add);
    }
    List<Service> services = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (String importPath : importPaths) {
      services.add(new Service(uniqueName(importPath, names), modules.mainPackage(importPath),
          ImageMatcher.ko(importPath), "ko://" + importPath));
    }
    for (String image : images) {
      services.add(new Service(uniqueName(image.replaceAll("[:@].*$", ""), names),
          config.mappedImages.get(image), ImageMatcher.imageName(image), image));
    }
    if (services.isEmpty()) {
      throw new IOException("The manifests " + config.manifests + " name no ko:// image and "
          + "none of the images mapped with .service(image, mainPackage): there is nothing to "
          + "build. Write image: ko://<import path of a main package>");
    }
    return services;
  }

  /** The last path element, or more of the path when two services share it. */
  private static String uniqueName(String path, Set<String> taken) {
    String[] parts = path.split("/");
    for (int n = 1; n <= parts.length; n++) {
      String name = String.join("-", java.util.Arrays.copyOfRange(parts, parts.length - n,
          parts.length)).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
      if (taken.add(name)) {
        return name;
      }
    }
    throw new IllegalArgumentException("Two services are both " + path);
  }

  private void openForward(ApiClient client, String namespace, String resource, int localPort,
      int podPort) throws IOException {
    String[] kindAndName = resource.split("/", 2);
    if (kindAndName.length != 2) {
      throw new IllegalArgumentException("Port-forward '" + resource + "' must be KIND/NAME, "
          + "like deployment/shop");
    }
    String kind = switch (kindAndName[0].toLowerCase(Locale.ROOT)) {
      case "deployment", "deploy", "deployments" -> "Deployment";
      case "statefulset", "sts", "statefulsets" -> "StatefulSet";
      case "daemonset", "ds", "daemonsets" -> "DaemonSet";
      case "pod", "po", "pods" -> "Pod";
      default -> throw new IllegalArgumentException("Port-forward '" + resource + "': "
          + kindAndName[0] + " is not deployment, statefulset, daemonset or pod");
    };
    TargetHandle pods = KubernetesTarget.workload(kind, namespace, kindAndName[1])
        .apiClient(client).followLogs(false)
        .open(new TargetRequest(Platform.linuxHost(), TargetEvents.NONE));
    forwardTargets.add(pods);
    PortForwarder forward = PortForwarder.toPods(client, namespace, () -> pods.destinations()
            .stream().map(d -> ((PodContainer) d).pod()).findFirst()
            .orElseThrow(() -> new IllegalStateException("No running pod of " + resource)),
        localPort, podPort);
    forwards.put(resource, forward);
    progress("Forwarding 127.0.0.1:" + forward.localPort() + " to " + resource + ":" + podPort,
        System.nanoTime());
  }

  private void progress(String message, long sinceNanos) {
    long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
    listener.log(LogEvent.info(ms > 0 ? message + " (" + ms + " ms)" : message));
  }

  /** A workload that runs a service's image. */
  record Workload(String kind, String namespace, String name) {}
}
