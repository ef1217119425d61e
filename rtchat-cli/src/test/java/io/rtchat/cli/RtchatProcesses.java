package io.rtchat.cli;

import static io.rtchat.cli.RtchatProcess.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link RtchatProcess}es one test starts, each working in its own folder of the test's
 * temporary directory, all stopped after the test:
 * {@code @RegisterExtension final RtchatProcesses rtchat = new RtchatProcesses(() -> dir);}
 */
final class RtchatProcesses implements AfterEachCallback {

  // A supplier because JUnit injects the test's @TempDir after the extension field is built.
  private final Supplier<Path> dir;
  private final List<RtchatProcess> started = new ArrayList<>();

  RtchatProcesses(Supplier<Path> dir) {
    this.dir = dir;
  }

  /** Starts {@code java -jar rtchat.jar ARGS} in the folder {@code label} of the test's directory. */
  RtchatProcess start(String label, String... args) throws Exception {
    RtchatProcess process = RtchatProcess.start(label, dir.get().resolve(label), args);
    started.add(process);
    return process;
  }

  /** Runs a short command to its end, asserts it exits 0 and returns its stdout lines. */
  List<String> run(String label, String... args) throws Exception {
    RtchatProcess process = start(label, args);
    assertThat(process.awaitExit(seconds(60))).as(label + ": " + process.stderrText()).isZero();
    return process.stdoutLines();
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    for (RtchatProcess process : started) {
      process.close();
    }
    started.clear();
  }
}
