package io.rtchat.cli.bench;

import io.rtchat.cli.Console;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rtchat bench}: the benchmark suite of rtchat-bench (ours vs a raw baseline). */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Runs the benchmark suite and prints ours vs the raw baseline with the ratio.",
        "With --json prints one JSON object per measure."})
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--json", description = "One JSON object per measure on stdout.")
  boolean json;

  @Option(names = "--quick", description = "Fewer iterations: a smoke run.")
  boolean quick;

  private final Console console;

  @Inject
  public BenchCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() {
    // rtchat-bench has no entry point yet; wire it here once it lands.
    console.err().println("rtchat bench: not available yet: rtchat-bench has no benchmark entry point");
    return 1;
  }
}
