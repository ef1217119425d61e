package io.rtchat.cli;

import static io.rtchat.cli.RtchatProcess.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code rtchat bench} runs rtchat-bench's suite; a small slice of it here. */
class BenchCommandIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final RtchatProcesses rtchat = new RtchatProcesses(() -> dir);

  @Test
  void jsonPrintsOneObjectPerMeasureWithOursBaselineAndRatio() throws Exception {
    RtchatProcess bench = rtchat.start("bench", "bench", "--json", "--quick",
        "--scale", "0.1", "--only", "connect.mem");
    assertThat(bench.awaitExit(seconds(120))).as(bench.stderrText()).isZero();
    assertThat(bench.nonJsonLines()).isEmpty();
    JsonNode connect = bench.await("connect.mem measure", seconds(1),
        e -> e.path("measure").asText().equals("connect.mem"));
    for (String field : List.of("ours", "baseline", "ratio")) {
      assertThat(connect.path(field).isNumber()).as(field).isTrue();
    }
    assertThat(connect.path("unit").asText()).isEqualTo("ms");
  }

  @Test
  void scaleOutsideItsRangeIsAUsageError() throws Exception {
    RtchatProcess bench = rtchat.start("bench-usage", "bench", "--scale", "3");
    assertThat(bench.awaitExit(seconds(60))).isEqualTo(2);
    assertThat(bench.stderrText()).contains("--scale");
  }
}
