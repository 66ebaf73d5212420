package dev.hotreload.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotreload.ChangeSet;
import dev.hotreload.Reload;
import dev.hotreload.ReloadReport;
import dev.hotreload.ReloadReport.Delivery;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  private static final String REFUSAL = "pod/default/hello-1/app#0 refused the binary: write "
      + "/var/run/hotreload/app/app/.server.tmp-1: no space left on device. It keeps running its "
      + "previous binary.";

  @Test
  void aFailedDelivery_isSaidOnce_whenItIsTheReloadsFailure() {
    String printed = failed(REFUSAL,
        new Delivery("pod/default/hello-1/app#0", false, 0, Duration.ZERO, REFUSAL),
        new Delivery("pod/default/hello-2/app#0", true, 1200, Duration.ZERO, "pid 7"));

    assertThat(printed).containsOnlyOnce("refused the binary").doesNotContain("hello-2");
  }

  @Test
  void failedDeliveries_beyondTheFailure_areListedWithTheirDestination() {
    String printed = failed("2 of 3 destinations failed",
        new Delivery("pod/default/hello-1/app#0", false, 0, Duration.ZERO, REFUSAL),
        new Delivery("pod/default/hello-3/app#0", false, 0, Duration.ZERO, "exec timed out"));

    assertThat(printed)
        .contains("\n  " + REFUSAL + "\n")
        .contains("\n  pod/default/hello-3/app#0: exec timed out\n")
        .doesNotContain("app#0: pod/default");
  }

  private static String failed(String failure, Delivery... deliveries) {
    ReloadReport report = new ReloadReport(
        new Reload(3, Reload.Trigger.FILE_CHANGE, ChangeSet.EMPTY), ReloadReport.Outcome.FAILED,
        Map.of(), Duration.ofMillis(500), Optional.empty(), 0, 0, List.of(deliveries),
        Optional.of(failure), List.of());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleProgress.to(new PrintStream(bytes, true, StandardCharsets.UTF_8), false)
        .reloadFailed(report.reload(), report);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
