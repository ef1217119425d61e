package io.rtchat.bench;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connect time of two {@link io.rtchat.core.Peer}s whose {@code ws://} signaling goes through the
 * {@code /signal} relays of two rtchat-server instances sharing a Mosquitto backplane, against the
 * same two peers signaling through one instance's relay. Servers run in child JVMs.
 */
final class ScaleOutBench {

  static final String NAME = "connect.ws.backplane";

  private final BenchOptions options;
  private final List<Measure> out;
  private int room;

  ScaleOutBench(BenchOptions options, List<Measure> out) {
    this.options = options;
    this.out = out;
  }

  void connect(int runs) throws Exception {
    if (!BenchMosquitto.available()) {
      String reason = BenchMosquitto.BINARY + " is missing (apt-get install -y mosquitto): the"
          + " backplane needs a real MQTT 5 broker";
      options.pending().accept(new Pending(NAME, reason));
      options.progress().accept(NAME + ": pending, " + reason);
      return;
    }
    String prefix = "rtchat/bench-relay-" + ProcessHandle.current().pid();
    try (BenchMosquitto broker = BenchMosquitto.start();
        ChildServer single = ChildServer.start("rtchat");
        ChildServer a = ChildServer.start("rtchat-backplane", broker.uri().toString(), prefix);
        ChildServer b = ChildServer.start("rtchat-backplane", broker.uri().toString(), prefix)) {
      // One unmeasured connection each: class loading and the first pair's cost stay out.
      timed(single, single);
      timed(a, b);
      long[] ours = new long[runs];
      long[] base = new long[runs];
      for (int i = 0; i < runs; i++) {
        base[i] = timed(single, single);
        ours[i] = timed(a, b);
      }
      Stats o = Stats.ofNanos(ours, 1e6);
      Stats r = Stats.ofNanos(base, 1e6);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("runs", runs);
      extra.put("ours_p95_ms", Stats.round(o.percentile(95), 2));
      extra.put("baseline_p95_ms", Stats.round(r.percentile(95), 2));
      extra.put("ours_is", "alice on instance A's /signal, bob on B's; A and B share Mosquitto");
      extra.put("baseline_is", "alice and bob on one instance's /signal, no backplane");
      out.add(Measure.of(NAME, o.median(), r.median(), "ms", extra));
      options.progress().accept(String.format("%s: median %.1f ms vs one instance %.1f ms", NAME,
          o.median(), r.median()));
    }
  }

  /** Join → both sessions open, alice through {@code aliceServer}, bob through {@code bobServer}. */
  private long timed(ChildServer aliceServer, ChildServer bobServer) throws Exception {
    String name = "bench-" + ProcessHandle.current().pid() + "-" + (++room);
    long start = System.nanoTime();
    try (PeerPair pair = PeerPair.connect(signal(aliceServer, name), signal(bobServer, name), null,
        RtcBench.TIMEOUT_MILLIS)) {
      return System.nanoTime() - start;
    }
  }

  private static URI signal(ChildServer server, String room) {
    return URI.create("ws://127.0.0.1:" + server.port + "/signal?room=" + room);
  }
}
