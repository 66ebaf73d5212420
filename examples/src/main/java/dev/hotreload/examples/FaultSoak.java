package dev.hotreload.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotreload.ReloadReport;
import dev.hotreload.core.ConsoleProgress;
import dev.hotreload.core.testing.TransferStarts;
import dev.hotreload.event.ReloadListener;
import dev.hotreload.k8s.connect.KubeConnection;
import dev.hotreload.k8s.dev.DevSession;
import dev.hotreload.k8s.dev.KubernetesDev;
import dev.hotreload.k8s.testing.ClusterFaults;
import dev.hotreload.k8s.testing.ReplicaAnswers;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long dev session under faults on the local cluster ({@code scripts/soak}): the hello
 * example on R replicas, edited N times in a row; after each save every replica is asked
 * through its own pod's port until all answer the new text. Every K-th edit comes with a real
 * fault, in turn: a pod deleted while the binary is on the way, the API server killed for 10 s,
 * the agent's install stream killed, the agent killed, the agent's volume full, a build that
 * crash-loops, a flood of saves during a build.
 *
 * <pre>
 * FaultSoak [--edits N] [--replicas R] [--fault-every K] [--stop-on-lost] [--json FILE]
 * </pre>
 *
 * <p>Counts an edit as lost when not every replica answers it within 3 minutes, and an answer as
 * out of order when a Ready pod (one a Service would route to) answers an older edit than it
 * answered before. Heap is measured after a full GC, at the start, after 10 edits and every 100 edits.
 */
public final class FaultSoak {
  private static final Duration EDIT_LIMIT = Duration.ofMinutes(3);
  private static final Pattern SAVE_NUMBER = Pattern.compile("soak save (\\d+)");
  private static final PrintStream OUT = System.out;

  /** The faults, injected in this order, one every K edits. */
  enum Fault {
    POD_DELETED, API_SERVER_DOWN, INSTALL_KILLED, AGENT_KILLED, VOLUME_FULL, CRASH_LOOP,
    EDIT_FLOOD
  }

  private final DevSession session;
  private final ApiClient client;
  private final String namespace;
  private final ReplicaAnswers replicas;
  private final TransferStarts transfers;
  private final Path main;
  private final String source;
  private final int replicaCount;
  private int saves;
  private final Map<String, Integer> highestServed = new HashMap<>();
  private final List<String> outOfOrder = new ArrayList<>();
  private final List<String> lost = new ArrayList<>();
  /** Save → the session's report of a reload, per edit without a fault. */
  private final List<Long> reported = new ArrayList<>();

  private FaultSoak(DevSession session, ApiClient client, String namespace, Path main,
      TransferStarts transfers, int replicaCount) throws IOException {
    this.session = session;
    this.client = client;
    this.namespace = namespace;
    this.replicas = new ReplicaAnswers(client, namespace, HelloApp.NAME, HelloApp.PORT);
    this.transfers = transfers;
    this.main = main;
    this.source = Files.readString(main);
    this.replicaCount = replicaCount;
  }

  /**
   * Runs the soak.
   *
   * @param args see the class comment
   * @throws Exception if the session cannot start
   */
  public static void main(String[] args) throws Exception {
    int edits = 1000;
    int replicaCount = 3;
    int faultEvery = 50;
    Path json = null;
    boolean stopOnLost = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--edits" -> edits = Integer.parseInt(args[++i]);
        case "--replicas" -> replicaCount = Integer.parseInt(args[++i]);
        case "--fault-every" -> faultEvery = Integer.parseInt(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--stop-on-lost" -> stopOnLost = true;
        default -> throw new IllegalArgumentException("Unknown argument '" + args[i]
            + "'; use --edits N, --replicas R, --fault-every K (0: none), --stop-on-lost, "
            + "--json FILE");
      }
    }
    Path workspace = HelloApp.copy();
    KubeConnection cluster = KubeConnection.standard();
    ApiClient client = cluster.client();
    TransferStarts transfers = new TransferStarts();
    boolean clean;
    try (DevSession dev = KubernetesDev.forWorkspace(workspace)
        .manifests(manifestWithASmallAgentVolume(workspace, replicaCount))
        .connection(cluster)
        .listener(ReloadListener.compose(ConsoleProgress.toStdout().relativeTo(workspace),
            transfers))
        .start()) {
      dev.awaitReady(Duration.ofMinutes(3));
      FaultSoak soak = new FaultSoak(dev, client, cluster.namespace(),
          HelloApp.mainFile(workspace), transfers, replicaCount);
      Map<String, Object> figures = soak.run(edits, faultEvery, stopOnLost);
      String text = new ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(figures);
      if (json != null) {
        Files.createDirectories(json.toAbsolutePath().getParent());
        Files.writeString(json, text + "\n");
        OUT.println("[soak] figures written to " + json);
      }
      OUT.println(text);
      clean = soak.lost.isEmpty() && soak.outOfOrder.isEmpty();
    }
    if (!clean) {
      System.exit(1);
    }
  }

  /**
   * The example's manifest with R replicas and the agent's volume memory-backed with a size
   * limit (the rewrite keeps a volume of the agent's name that the manifest declares), so that a
   * full volume is a real ENOSPC.
   */
  private static Path manifestWithASmallAgentVolume(Path workspace, int replicas)
      throws IOException {
    Path manifest = HelloApp.manifestFile(workspace, replicas);
    String text = Files.readString(manifest);
    if (!text.contains("\n      containers:\n")) {
      throw new IllegalStateException(manifest + " has no pod template 'containers:' line");
    }
    Path copy = Files.createTempFile("hello-soak-", ".yaml");
    Files.writeString(copy, text.replace("\n      containers:\n", "\n"
        + "      volumes:\n"
        + "      - name: hotreload\n"
        + "        emptyDir:\n"
        + "          medium: Memory\n"
        + "          sizeLimit: 64Mi\n"
        + "      containers:\n"));
    return copy;
  }

  private Map<String, Object> run(int edits, int faultEvery, boolean stopOnLost)
      throws Exception {
    Instant started = Instant.now();
    List<Long> plain = new ArrayList<>();
    List<Long> afterFault = new ArrayList<>();
    Map<Fault, Integer> faults = new LinkedHashMap<>();
    Map<Integer, Double> heap = new TreeMap<>();
    heap.put(0, heapMb());
    double rssFirst = EditLoop.rssMb();
    int served = 0;
    int done = 0;
    for (int i = 1; i <= edits; i++) {
      done = i;
      Fault fault = faultEvery > 0 && i % faultEvery == 0
          ? Fault.values()[(i / faultEvery - 1) % Fault.values().length] : null;
      long seen = session.lastSequence();
      String text = fault == null ? save(false) : inject(fault);
      Duration took = awaitEveryReplica(text, i, seen, fault != null);
      if (took != null) {
        served++;
        (fault == null ? plain : afterFault).add(took.toNanos());
      }
      if (fault != null) {
        faults.merge(fault, 1, Integer::sum);
        OUT.printf(Locale.ROOT, "[soak] edit %d with fault %s: every replica served it after "
            + "%s%n", i, fault, took == null ? "never (lost)" : took.toMillis() + " ms");
      }
      boolean stop = took == null && stopOnLost;
      if (i % 100 == 0 || i == edits || i == 10 || stop) { // 10: after the JIT's warm-up
        heap.put(i, heapMb());
        OUT.printf(Locale.ROOT, "[soak] %d/%d edits, %d lost, %d out of order, median %.0f ms, "
            + "heap %.1f MB%n", i, edits, lost.size(), outOfOrder.size(),
            ms(EditLoop.median(plain)), heap.get(i));
      }
      if (stop) {
        OUT.println("[soak] stopped at the first lost edit (--stop-on-lost)");
        break;
      }
    }
    replicas.close();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("date", Instant.now().toString());
    out.put("mode", "kubernetes, agent mode, " + replicaCount + " replicas, one fault every "
        + faultEvery + " edits");
    out.put("edits", done);
    out.put("reloads", served);
    out.put("replicas", replicaCount);
    out.put("lost", lost.size());
    out.put("outOfOrder", outOfOrder.size());
    out.put("faults", faults.values().stream().mapToInt(Integer::intValue).sum());
    out.put("faultsByKind", faults);
    out.put("saves", saves);
    out.put("p50Ms", ms(EditLoop.median(plain)));
    out.put("p95Ms", ms(EditLoop.percentile(plain, 95)));
    out.put("p99Ms", ms(EditLoop.percentile(plain, 99)));
    out.put("maxMs", ms(plain.stream().mapToLong(Long::longValue).max().orElse(0)));
    out.put("reportP50Ms", reported.isEmpty() ? null : ms(EditLoop.median(reported)));
    out.put("faultEditP50Ms", afterFault.isEmpty() ? null : ms(EditLoop.median(afterFault)));
    out.put("faultEditMaxMs", afterFault.isEmpty() ? null
        : ms(afterFault.stream().mapToLong(Long::longValue).max().orElse(0)));
    out.put("heapMbFirst", heap.get(0));
    out.put("heapMbAfter10Edits", heap.get(10));
    out.put("heapMbLast", heap.get(done));
    out.put("heapMbEvery100Edits", heap);
    out.put("rssMbFirst", rssFirst);
    out.put("rssMbLast", EditLoop.rssMb());
    // What the RSS is made of at the end: the heap the JVM holds (G1 keeps what it grew to) and
    // everything outside it, and the threads (each port-forward connection has its own).
    out.put("heapCommittedMbLast", mb(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage()
        .getCommitted()));
    out.put("nonHeapCommittedMbLast", mb(ManagementFactory.getMemoryMXBean()
        .getNonHeapMemoryUsage().getCommitted()));
    out.put("threadsLast", ManagementFactory.getThreadMXBean().getThreadCount());
    out.put("threadsPeak", ManagementFactory.getThreadMXBean().getPeakThreadCount());
    List<ReloadReport> history = session.history();
    out.put("sessionReloads", history.size());
    out.put("sessionReloadsFailed", history.stream().filter(r -> !r.succeeded()).count());
    out.put("durationS", Duration.between(started, Instant.now()).toSeconds());
    out.put("lostEdits", lost);
    out.put("outOfOrderAnswers", outOfOrder);
    out.put("measured", "edit saved → every replica answers it through its own pod's port "
        + "(asked from the session's report of a reload on, one pod after another); p50/p95 over "
        + "the edits without a fault");
    return out;
  }

  /** Makes the fault happen around one save; returns the text every replica must end with. */
  private String inject(Fault fault) throws Exception {
    String pod = anyPod();
    switch (fault) {
      case POD_DELETED -> {
        return duringTransfer(() -> ClusterFaults.deletePod(client, namespace, pod));
      }
      case API_SERVER_DOWN -> {
        ClusterFaults.stopApiServer();
        try {
          save(false);
          Thread.sleep(4_000);
          String text = save(false);
          Thread.sleep(6_000);
          return text;
        } finally {
          ClusterFaults.startApiServer();
        }
      }
      case INSTALL_KILLED -> {
        return duringTransfer(() -> ClusterFaults.killInstalls(pod));
      }
      case AGENT_KILLED -> {
        return duringTransfer(() -> ClusterFaults.killAgent(pod));
      }
      case VOLUME_FULL -> {
        Path filler = ClusterFaults.fillAgentVolume(client, namespace, pod);
        try {
          String text = save(false);
          Thread.sleep(3_000);
          return text;
        } finally {
          ClusterFaults.freeAgentVolume(filler);
        }
      }
      case CRASH_LOOP -> {
        long seen = session.lastSequence();
        save(true);
        ReloadReport crash = session.awaitReloadAfter(seen, EDIT_LIMIT);
        if (crash.succeeded()) {
          throw new IllegalStateException("a binary that crashes at start was reported as "
              + "running: " + crash);
        }
        return save(false);
      }
      case EDIT_FLOOD -> {
        String text = null;
        for (int j = 0; j < 10; j++) {
          text = save(false);
          Thread.sleep(40);
        }
        return text;
      }
      default -> throw new IllegalStateException(fault.name());
    }
  }

  /** Something done to the cluster; may throw. */
  private interface ClusterAction {
    void run() throws Exception;
  }

  /** Saves, and acts as soon as a binary is on its way to a pod. */
  private String duringTransfer(ClusterAction action) throws Exception {
    transfers.drain();
    String text = save(false);
    transfers.awaitNext(EDIT_LIMIT);
    action.run();
    return text;
  }

  /** Saves a new greeting (aside and renamed over, as editors do); crashing at start if asked. */
  private String save(boolean crash) throws IOException {
    saves++;
    String text = "soak save " + saves;
    String edited = source.replaceFirst("const greeting = \".*\"",
        "const greeting = \"" + text + "\"");
    if (crash) {
      edited += "\nfunc init() { panic(\"soak fault: crash at start\") }\n";
    }
    HelloApp.save(main, edited);
    return text;
  }

  private String anyPod() throws Exception {
    Map<String, String> now = replicas.ask();
    if (now.isEmpty()) {
      throw new IllegalStateException("no running pod of " + HelloApp.NAME + " to hit");
    }
    List<String> names = new ArrayList<>(now.keySet());
    return names.get(saves % names.size());
  }

  /**
   * Polls until every replica answers {@code text}; records answers that go back in time and
   * the edit as lost after the limit.
   *
   * <p>Asks only once the session has reported a reload after {@code seen}: before that the
   * answers can only be older text, and a request that reaches an app while it restarts waits
   * for the read timeout.
   *
   * @return how long it took, or null when lost
   */
  private Duration awaitEveryReplica(String text, int edit, long seen, boolean faultEdit)
      throws InterruptedException {
    long start = System.nanoTime();
    String last = "";
    try {
      session.awaitReloadAfter(seen, EDIT_LIMIT);
      if (!faultEdit) {
        reported.add(System.nanoTime() - start);
      }
    } catch (TimeoutException e) {
      last = "no reload reported"; // asked all the same, until the limit
    }
    while (System.nanoTime() - start < EDIT_LIMIT.toNanos()) {
      try {
        Map<String, String> answers = replicas.ask();
        last = answers.toString();
        checkOrder(answers, edit);
        if (answers.size() == replicaCount
            && answers.values().stream().allMatch(text::equals)) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
      } catch (Exception e) {
        last = "asking failed: " + e; // the API server may be away
      }
      Thread.sleep(20);
    }
    lost.add("edit " + edit + " ('" + text + "'): " + last);
    OUT.println("[soak] LOST edit " + edit + ": not every replica answered '" + text
        + "' within " + EDIT_LIMIT + "; last answers " + last);
    return null;
  }

  private void checkOrder(Map<String, String> answers, int edit) {
    for (Map.Entry<String, String> answer : answers.entrySet()) {
      if (answer.getValue() == null || !replicas.ready().contains(answer.getKey())) {
        continue;
      }
      Matcher m = SAVE_NUMBER.matcher(answer.getValue());
      int number = m.matches() ? Integer.parseInt(m.group(1)) : 0; // 0: the image's binary
      Integer before = highestServed.get(answer.getKey());
      if (before != null && number < before) {
        String what = "edit " + edit + ": Ready pod " + answer.getKey() + " answered save "
            + number + " after save " + before;
        outOfOrder.add(what);
        OUT.println("[soak] OUT OF ORDER " + what);
      }
      highestServed.merge(answer.getKey(), number, Math::max);
    }
  }

  private static double heapMb() {
    System.gc();
    return mb(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  private static double mb(long bytes) {
    return Math.round(bytes / 1048576.0 * 10) / 10.0;
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
