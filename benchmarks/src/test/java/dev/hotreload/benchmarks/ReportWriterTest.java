package dev.hotreload.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  @TempDir Path dir;

  private static String e2e(String mode, int replicas, String raw) {
    return """
        {"benchmark":"dev.hotreload.benchmarks.ReloadLatencyBenchmark.editToAnswer",
         "mode":"ss","params":{"link":"direct","mode":"%s","replicas":"%d"},
         "primaryMetric":{"score":1,"scoreError":0,"scoreUnit":"ms/op","rawData":[[%s]]}}
        """.formatted(mode, replicas, raw);
  }

  private static String sample(String mode, boolean warmup, double total, double build,
      long sent) {
    return """
        {"mode":"%s","replicas":1,"link":"direct","warmup":%s,"totalMs":%s,"bytesSent":%d,\
        "bytesRaw":1000,"heapUsedMb":40,"rssMb":200,"phases":{"BUILD":%s,"TRANSFER":5}}
        """.formatted(mode, warmup, total, sent, build);
  }

  @Test
  void tablesAndChart_comeFromTheRawSamples_withRatiosToAgentFromTheSameFile() throws Exception {
    Files.writeString(dir.resolve("jmh.json"), "[" + e2e("agent", 1, "400, 100, 300, 200") + ","
        + e2e("rebuild-rollout", 1, "1000, 4000, 2000, 3000") + ","
        + """
          {"benchmark":"dev.hotreload.benchmarks.GoBuildBenchmark.build","mode":"ss",
           "params":{"flags":"stripped"},"primaryMetric":{"score":612.5,"scoreError":20.25,
           "scoreUnit":"ms/op","scorePercentiles":{"50.0":600.0,"95.0":700.0}}}
          """ + "]");
    Files.writeString(dir.resolve("phases.jsonl"), sample("agent", true, 9999, 9000, 1)
        + sample("agent", false, 100, 60, 300) + sample("agent", false, 200, 150, 100)
        + sample("agent", false, 300, 200, 200));

    ReportWriter.write(dir);

    String md = Files.readString(dir.resolve("README.md"));
    // Medians and p95 by nearest rank over the JMH raw data: 100 200 300 400 → 200 and 400.
    assertThat(md).contains("| agent | 1 | direct | 4 | 200 | 400 | 100 | 400 | — | 50 |");
    assertThat(md).contains("| rebuild-rollout | 1 | direct | 4 | 2000 | 4000 | 1000 | 4000 "
        + "| 10.00× |");
    // The warm-up sample (build 9000) stays out of the phase medians; bytes: 200 of 1000.
    assertThat(md).contains("build 150, transfer 5").contains("200 (20 % of 1,000)");
    assertThat(md).contains("| GoBuildBenchmark.build | flags=stripped | ss | 613 | 20.25 "
        + "| ms/op | 600 | 700 |");
    BufferedImage chart = ImageIO.read(dir.resolve("latency.png").toFile());
    assertThat(chart).isNotNull();
    assertThat(chart.getHeight()).isEqualTo(80 + 2 * 30 + 50);
  }
}
