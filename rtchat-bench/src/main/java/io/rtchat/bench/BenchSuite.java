package io.rtchat.bench;

import io.rtchat.core.rtc.RtcEngine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark suite: every measure is taken for RTChat's code and for a raw baseline in the same
 * run, so that the ratio means something on a shared, noisy machine.
 *
 * <pre>{@code
 * List<Measure> measures = BenchSuite.run(BenchOptions.quickSuite().withProgress(System.err::println));
 * }</pre>
 *
 * <p>A step that fails is reported to {@link BenchOptions#pending()} with its reason and the suite
 * goes on; the returned list holds only measures actually taken.
 */
public final class BenchSuite {

  private static final Logger log = LoggerFactory.getLogger(BenchSuite.class);

  private BenchSuite() {}

  /** One step of the suite, producing the measures it names. */
  private interface Step {
    void run() throws Exception;
  }

  /** Runs the suite; blocks until done. Safe to call more than once per JVM. */
  public static List<Measure> run(BenchOptions options) {
    List<Measure> out = Collections.synchronizedList(new ArrayList<>());
    long started = System.nanoTime();
    // Holds the engine's one factory for the whole run: without a connection open it would be
    // disposed after three idle seconds and created again, which leaks native threads.
    try (RtcEngine.Hold factory = RtcEngine.get().hold(); Signaling signaling = new Signaling()) {
      // JMH first, while this JVM is quiet (quick runs measure in-process).
      step(options, "jmh", () -> new MicroBench(options, out).run());
      RtcBench rtc = new RtcBench(options, out);
      int connectRuns = options.count(10, 30, 3);
      step(options, "connect.mem", () -> rtc.connect("mem", signaling.mem(), connectRuns));
      step(options, "connect.mqtt", () -> rtc.connect("mqtt", signaling.mqtt(), connectRuns));
      step(options, "connect.ws", () -> rtc.connect("ws", signaling.ws(), connectRuns));
      step(options, "rtt", () -> rtc.rtt(signaling.mem()));
      step(options, "throughput", () -> rtc.throughput(signaling.mem()));
      step(options, "memory.peer", () -> rtc.memoryPerPeer(signaling.mem()));
      step(options, "memory.cycle", () -> rtc.cycles(signaling.mem()));
      FanoutBench chat = new FanoutBench(options, out);
      int receivers = options.count(100, 100, 10);
      step(options, "fanout.n" + receivers,
          () -> chat.fanout(receivers, options.count(100, 300, 20), 60_000, 2));
      int backplaneReceivers = options.count(100, 100, 10);
      step(options, "fanout.backplane.n" + backplaneReceivers, () -> chat.backplane(
          backplaneReceivers, options.count(100, 300, 20), 60_000, options.count(1, 2, 1)));
      step(options, ScaleOutBench.NAME,
          () -> new ScaleOutBench(options, out).connect(options.count(10, 30, 3)));
      if (!options.quick()) {
        step(options, "fanout.n1000", () -> chat.fanout(1000, 100, 150_000, 1));
      }
      step(options, "idle", () -> chat.idle(options.count(500, 5000, 50)));
    }
    options.progress().accept(String.format("suite done in %.1f s",
        (System.nanoTime() - started) / 1e9));
    return List.copyOf(out);
  }

  private static void step(BenchOptions options, String name, Step step) {
    if (!options.selected(name)) {
      return;
    }
    options.progress().accept(name + " ...");
    long started = System.nanoTime();
    try {
      step.run();
      options.progress().accept(String.format("%s done in %.1f s", name,
          (System.nanoTime() - started) / 1e9));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      options.pending().accept(new Pending(name, "interrupted"));
    } catch (Exception | LinkageError e) {
      log.warn("benchmark step {} failed", name, e);
      options.pending().accept(new Pending(name, "failed: " + e));
    }
  }
}
