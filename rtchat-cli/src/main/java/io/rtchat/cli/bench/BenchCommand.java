package io.rtchat.cli.bench;

import io.rtchat.bench.BenchMain;
import io.rtchat.bench.BenchOptions;
import io.rtchat.bench.BenchSuite;
import io.rtchat.bench.Measure;
import io.rtchat.bench.Pending;
import io.rtchat.cli.Console;
import io.rtchat.core.rtc.RtcEngine;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rtchat bench}: rtchat-bench's suite, each measure against a raw baseline of the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the benchmark suite and prints a table of ours vs the raw baseline with the ratio.",
        "With --json prints one JSON object per measure: "
            + "{\"measure\":\"rtt\",\"ours\":..,\"baseline\":..,\"unit\":\"us\",\"ratio\":..}.",
        "Progress goes to stderr."})
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--json", description = "One JSON object per measure on stdout.")
  boolean json;

  @Option(names = "--quick", description = "The quick suite (about two minutes on two cores).")
  boolean quick;

  @Option(names = "--scale", defaultValue = "1", paramLabel = "F",
      description = "Multiplies every size and count, in (0, 1] (default: ${DEFAULT-VALUE}).")
  double scale;

  @Option(names = "--only", paramLabel = "STEP,..",
      description = "Runs only the steps with these prefixes: connect.mem, connect.mqtt, connect.ws, "
          + "rtt, throughput, memory.peer, memory.cycle, fanout, idle, jmh.")
  String only;

  @Spec
  CommandSpec spec;

  private final Console console;

  @Inject
  public BenchCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() throws Exception {
    if (!(scale > 0) || scale > 1) {
      throw new ParameterException(spec.commandLine(), "--scale must be in (0, 1], not " + scale);
    }
    List<Pending> pending = new ArrayList<>();
    BenchOptions options = new BenchOptions(quick, scale, only,
        line -> console.err().println("# " + line), p -> {
          synchronized (pending) {
            pending.add(p);
          }
        });
    try {
      List<Measure> measures = BenchSuite.run(options);
      if (json) {
        BenchMain.printJson(console.out(), measures, pending);
      } else {
        BenchMain.printTable(console.out(), measures, pending);
      }
      console.out().flush();
      return 0;
    } finally {
      RtcEngine.get().shutdown();
    }
  }
}
