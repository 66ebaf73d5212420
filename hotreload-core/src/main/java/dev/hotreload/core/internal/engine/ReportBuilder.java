package dev.hotreload.core.internal.engine;

import dev.hotreload.Artifact;
import dev.hotreload.Diagnostic;
import dev.hotreload.Phase;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport.Outcome;
import dev.hotreload.ReloadReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Collects a report's parts as one reload goes; used by that reload's worker thread only. */
final class ReportBuilder {
  private final Reload reload;
  private final Instant since;
  private final Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
  private final List<ReloadReport.Delivery> deliveries = new ArrayList<>();
  private Outcome outcome;
  private String failure;
  private Artifact artifact;
  private List<Diagnostic> diagnostics = List.of();
  private long bytesSent;
  private long bytesRaw;

  ReportBuilder(Reload reload, Instant since) {
    this.reload = reload;
    this.since = since;
  }

  void phase(Phase phase, Duration duration) {
    phases.put(phase, duration);
  }

  void diagnostics(List<Diagnostic> list) {
    diagnostics = List.copyOf(list);
  }

  void artifact(Artifact built) {
    artifact = built;
  }

  void delivery(ReloadReport.Delivery delivery, long rawSize) {
    deliveries.add(delivery);
    bytesSent += delivery.bytesSent();
    if (delivery.succeeded()) {
      bytesRaw += rawSize;
    }
  }

  ReportBuilder outcome(Outcome ended, String why) {
    outcome = ended;
    failure = why;
    return this;
  }

  ReloadReport build(Instant end) {
    return new ReloadReport(reload, outcome, phases, Duration.between(since, end),
        Optional.ofNullable(artifact), bytesSent, bytesRaw, deliveries,
        Optional.ofNullable(failure), diagnostics);
  }
}
