package io.rtchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Runs the quick suite, shrunk, and checks only that every measure came out as numbers. */
class BenchSuiteSmokeTest {

  @Test
  void quickSuiteProducesEveryMeasureWithFinitePositiveNumbers() {
    List<Pending> pending = new CopyOnWriteArrayList<>();
    List<Measure> measures = BenchSuite.run(BenchOptions.quickSuite().withScale(0.1)
        .withProgress(line -> System.err.println("# " + line))
        .withPending(pending::add));

    List<String> expected = new ArrayList<>(List.of(
        "connect.mem", "signaling_bytes.mem",
        "connect.mqtt", "signaling_bytes.mqtt",
        "connect.ws", "signaling_bytes.ws",
        "rtt.ask", "rtt.message",
        "throughput", "throughput.peak_heap",
        "memory.peer.rss", "memory.peer.heap", "memory.cycle.rss",
        "fanout.n10.rate", "fanout.n10.p99",
        "idle.heap_per_conn",
        "jmh.envelope.encode", "jmh.envelope.decode", "jmh.frame.encode", "jmh.frame.decode"));
    List<String> backplane = List.of("fanout.backplane.n10.rate", "fanout.backplane.n10.p99",
        ScaleOutBench.NAME);
    if (BenchMosquitto.available()) {
      assertThat(pending).isEmpty();
      expected.addAll(backplane);
    } else {
      // No broker on this machine: the backplane measures are reported pending, never taken.
      assertThat(pending).extracting(Pending::measure).containsExactlyElementsOf(backplane);
    }
    List<String> names = new ArrayList<>();
    measures.forEach(m -> names.add(m.measure()));
    assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
    for (Measure m : measures) {
      assertThat(m.ours()).as(m.measure() + " ours").isFinite().isPositive();
      assertThat(m.baseline()).as(m.measure() + " baseline").isFinite().isPositive();
      assertThat(m.ratio()).as(m.measure() + " ratio").isFinite().isPositive();
      assertThat(m.unit()).as(m.measure() + " unit").isNotBlank();
    }
  }
}
