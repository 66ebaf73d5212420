package dev.hotreload.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Sizes a component benchmark measured beside its times, for the report. */
final class ComponentFigures {
  /** Where the figures go, one JSON object a line; unset: printed only. */
  static final String ENV = "HOTRELOAD_BENCH_COMPONENTS";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ComponentFigures() {}

  static void append(String benchmark, String params, long bytes, long ofBytes)
      throws IOException {
    String line = JSON.writeValueAsString(JSON.createObjectNode().put("benchmark", benchmark)
        .put("params", params).put("bytes", bytes).put("ofBytes", ofBytes));
    System.out.println(line);
    String file = System.getenv(ENV);
    if (file != null) {
      Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }
}
