package dev.hotreload.benchmarks.e2e;

/** {@code ko-rollout}: the real ko CLI builds and pushes, kubectl sets the image and waits. */
final class KoRolloutScenario {
  private KoRolloutScenario() {}

  static Scenario start(int replicas, Links.Link link) {
    throw new UnsupportedOperationException("ko-rollout is not wired yet");
  }
}
