package io.rtchat.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs {@link MicroBenchmarks} with JMH and pairs each "Ours" method with its "Jackson" twin. */
final class MicroBench {

  private final BenchOptions options;
  private final List<Measure> out;

  MicroBench(BenchOptions options, List<Measure> out) {
    this.options = options;
    this.out = out;
  }

  void run() throws Exception {
    boolean quick = options.quick();
    long iterationMillis = Math.max(100, Math.round((quick ? 250 : 1000) * options.scale()));
    Options jmh = new OptionsBuilder()
        .include(MicroBenchmarks.class.getName() + "\\..*")
        .warmupIterations(quick ? 1 : 3)
        .warmupTime(TimeValue.milliseconds(iterationMillis))
        .measurementIterations(quick ? 3 : 5)
        .measurementTime(TimeValue.milliseconds(iterationMillis))
        // Quick runs stay in this JVM; full runs fork one JVM per benchmark, as JMH advises.
        .forks(quick ? 0 : 1)
        .threads(1)
        .shouldFailOnError(true)
        .build();
    PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
    Collection<RunResult> results = new Runner(jmh,
        OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT)).run();
    Map<String, double[]> byName = new HashMap<>();
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      byName.put(method, new double[] {result.getPrimaryResult().getScore(),
          result.getPrimaryResult().getScoreError()});
    }
    String[][] pairs = {
        {"jmh.envelope.encode", "envelopeEncode"},
        {"jmh.envelope.decode", "envelopeDecode"},
        {"jmh.frame.encode", "frameEncode"},
        {"jmh.frame.decode", "frameDecode"},
    };
    for (String[] pair : pairs) {
      double[] ours = byName.get(pair[1] + "Ours");
      double[] jackson = byName.get(pair[1] + "Jackson");
      if (ours == null || jackson == null) {
        options.pending().accept(new Pending(pair[0], "JMH produced no result"));
        continue;
      }
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("ours_error_ns", Stats.round(ours[1], 1));
      extra.put("baseline_error_ns", Stats.round(jackson[1], 1));
      extra.put("forks", quick ? 0 : 1);
      extra.put("baseline_is", "ObjectMapper data binding of a record with the same fields");
      out.add(Measure.of(pair[0], ours[0], jackson[0], "ns/op", extra));
      options.progress().accept(String.format("%s: %.0f ns vs Jackson %.0f ns", pair[0], ours[0],
          jackson[0]));
    }
  }
}
