package dev.hotreload.benchmarks.e2e;

import java.util.LinkedHashMap;
import java.util.Map;

/** The steps of one sample of a mode that times its own steps (the rollout modes). */
final class Laps {
  private final Map<String, Double> phases = new LinkedHashMap<>();
  private long last;

  /** Starts a sample's clock. */
  void start() {
    phases.clear();
    last = System.nanoTime();
  }

  /**
   * Ends a step.
   *
   * @param phase its name in the report
   */
  void lap(String phase) {
    long now = System.nanoTime();
    phases.put(phase, (now - last) / 1e6);
    last = now;
  }

  /**
   * The steps so far.
   *
   * @return name to milliseconds, in order
   */
  Map<String, Double> phases() {
    return new LinkedHashMap<>(phases);
  }
}
