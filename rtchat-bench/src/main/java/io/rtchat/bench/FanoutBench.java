package io.rtchat.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat-server measures: rtchat-server's {@code /ws} against {@link RawBroadcastServer}, each in
 * its own child JVM ({@link ServerHost}), driven by the same {@link ChatClient}s from this JVM.
 */
final class FanoutBench {

  /** Messages in flight (sent, not yet delivered to every receiver): under the 32-message queue. */
  static final int WINDOW = 8;
  private static final String MARK = "zq ";
  /** Clients logging in at once. */
  static final int LOGIN_BATCH = 50;

  private final BenchOptions options;
  private final List<Measure> out;

  FanoutBench(BenchOptions options, List<Measure> out) {
    this.options = options;
    this.out = out;
  }

  /**
   * One sender, {@code receivers} receivers in the lobby: deliveries/s and p99 latency. Rounds
   * alternate raw and ours, each with a fresh server JVM; each side's figure is its median round.
   */
  void fanout(int receivers, int messages, long loginBudgetMillis, int rounds) throws Exception {
    Rounds raw = new Rounds(rounds);
    Rounds ours = new Rounds(rounds);
    for (int round = 0; round < rounds; round++) {
      raw.add(round, fanoutOn("raw", receivers, messages, loginBudgetMillis));
      ours.add(round, fanoutOn("rtchat", receivers, messages, loginBudgetMillis));
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("receivers", receivers);
    extra.put("messages", messages);
    extra.put("window", WINDOW);
    extra.put("rounds", rounds);
    report("fanout.n" + receivers, ours, raw, extra, Map.of("goal_ratio_min", 0.8,
        "baseline_is", "raw Jetty 12 WebSocket server broadcasting each frame as it came"),
        "raw", receivers * messages);
  }

  /** Each side's per-round figures, in round order. */
  private static final class Rounds {
    final double[] rate;
    final double[] p99;
    final double[] median;
    double loginMax;

    Rounds(int rounds) {
      rate = new double[rounds];
      p99 = new double[rounds];
      median = new double[rounds];
    }

    void add(int round, Result result) {
      rate[round] = result.deliveriesPerSecond;
      p99[round] = result.latency.percentile(99);
      median[round] = result.latency.median();
      loginMax = Math.max(loginMax, result.loginSeconds);
    }
  }

  /**
   * Adds {@code name.rate} and {@code name.p99}, each side's median round: {@code leading}
   * details, then the rounds and login times, then {@code trailing} (in its iteration order).
   */
  private void report(String name, Rounds ours, Rounds base, Map<String, Object> leading,
      Map<String, Object> trailing, String baseLabel, int deliveriesPerRound) {
    Map<String, Object> extra = new LinkedHashMap<>(leading);
    extra.put("ours_rounds", rounded(ours.rate, 0));
    extra.put("baseline_rounds", rounded(base.rate, 0));
    extra.put("ours_login_s_max", Stats.round(ours.loginMax, 2));
    extra.put("baseline_login_s_max", Stats.round(base.loginMax, 2));
    trailing.keySet().stream().sorted().forEach(k -> extra.put(k, trailing.get(k)));
    double oursRate = Stats.of(ours.rate).median();
    double baseRate = Stats.of(base.rate).median();
    out.add(Measure.of(name + ".rate", oursRate, baseRate, "deliveries/s", extra));
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("ours_median_ms", Stats.round(Stats.of(ours.median).median(), 3));
    latency.put("baseline_median_ms", Stats.round(Stats.of(base.median).median(), 3));
    latency.put("ours_rounds", rounded(ours.p99, 1));
    latency.put("baseline_rounds", rounded(base.p99, 1));
    latency.put("deliveries_per_round", deliveriesPerRound);
    double oursP = Stats.of(ours.p99).median();
    double baseP = Stats.of(base.p99).median();
    out.add(Measure.of(name + ".p99", oursP, baseP, "ms", latency));
    options.progress().accept(String.format("%s: %.0f vs %s %.0f deliveries/s, p99 %.1f vs %.1f ms",
        name, oursRate, baseLabel, baseRate, oursP, baseP));
  }

  private static String rounded(double[] values, int digits) {
    StringBuilder text = new StringBuilder();
    for (double v : values) {
      text.append(text.length() == 0 ? "" : " ").append(digits == 0 ? String.valueOf(Math.round(v))
          : String.valueOf(Stats.round(v, digits)));
    }
    return text.toString();
  }

  private record Result(double deliveriesPerSecond, Stats latency, double loginSeconds) {}

  private Result fanoutOn(String kind, int receivers, int messages, long loginBudgetMillis)
      throws Exception {
    try (ChildServer server = ChildServer.start(kind)) {
      URI uri = wsUri(server);
      return fanoutVia(kind, List.of(uri), uri, receivers, messages, loginBudgetMillis);
    }
  }

  private static URI wsUri(ChildServer server) {
    return URI.create("ws://127.0.0.1:" + server.port + "/ws");
  }

  /**
   * Receiver {@code j} logs in on {@code receiverUris[j % size]}, the sender on {@code senderUri};
   * then the sender's messages are timed until every receiver has each of them.
   */
  private Result fanoutVia(String kind, List<URI> receiverUris, URI senderUri, int receivers,
      int messages, long loginBudgetMillis) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, Daemon.named("ws-client"));
    HttpClient http = HttpClient.newBuilder().executor(pool).build();
    List<ChatClient> clients = new ArrayList<>();
    try {
      Tracker tracker = new Tracker(receivers);
      long loginStart = System.nanoTime();
      long deadline = loginStart + TimeUnit.MILLISECONDS.toNanos(loginBudgetMillis);
      // Logins go LOGIN_BATCH at a time, each batch waiting for every "me". Same for both servers.
      for (int i = 0; i < receivers; i += LOGIN_BATCH) {
        List<CompletableFuture<Void>> logins = new ArrayList<>();
        for (int j = i; j < Math.min(receivers, i + LOGIN_BATCH); j++) {
          URI uri = receiverUris.get(j % receiverUris.size());
          ChatClient client = ChatClient.connect(http, uri, tracker::onFrame).get(30, TimeUnit.SECONDS);
          clients.add(client);
          logins.add(client.login("r" + j));
        }
        await(CompletableFuture.allOf(logins.toArray(CompletableFuture[]::new)), deadline, kind, i,
            receivers);
      }
      ChatClient sender = ChatClient.connect(http, senderUri, text -> {}).get(30, TimeUnit.SECONDS);
      clients.add(sender);
      await(sender.login("sender"), deadline, kind, receivers, receivers);
      double loginSeconds = (System.nanoTime() - loginStart) / 1e9;
      tracker.quiet(Duration.ofMillis(300), deadline);

      int warmup = Math.max(5, messages / 5);
      tracker.run(sender, 0, warmup, deadline(loginBudgetMillis));
      tracker.reset(warmup);
      long start = System.nanoTime();
      tracker.run(sender, warmup, warmup + messages, deadline(loginBudgetMillis));
      long elapsed = tracker.lastDelivery.get() - start;
      for (ChatClient c : clients) {
        if (c.closed()) {
          throw new IllegalStateException(kind + " server closed a client with code " + c.closeCode);
        }
      }
      double rate = (double) receivers * messages / (elapsed / 1e9);
      return new Result(rate, Stats.ofNanos(tracker.latencies(), 1e6), loginSeconds);
    } finally {
      for (ChatClient c : clients) {
        c.abort();
      }
      pool.shutdownNow();
    }
  }

  /**
   * One sender and {@code receivers} receivers in the lobby. Ours: two rtchat-server instances
   * sharing one Mosquitto backplane, receivers split between them, the sender on the first; the
   * baseline: one rtchat-server without backplane. Same clients, same settings otherwise. Rounds
   * alternate baseline and ours, fresh server JVMs (and a fresh topic prefix) each round.
   */
  void backplane(int receivers, int messages, long loginBudgetMillis, int rounds) throws Exception {
    String name = "fanout.backplane.n" + receivers;
    if (!BenchMosquitto.available()) {
      String reason = BenchMosquitto.BINARY + " is missing (apt-get install -y mosquitto): the"
          + " backplane needs a real MQTT 5 broker";
      options.pending().accept(new Pending(name + ".rate", reason));
      options.pending().accept(new Pending(name + ".p99", reason));
      options.progress().accept(name + ": pending, " + reason);
      return;
    }
    Rounds single = new Rounds(rounds);
    Rounds ours = new Rounds(rounds);
    try (BenchMosquitto broker = BenchMosquitto.start()) {
      for (int round = 0; round < rounds; round++) {
        single.add(round, fanoutOn("rtchat", receivers, messages, loginBudgetMillis));
        String prefix = "rtchat/bench-" + ProcessHandle.current().pid() + "-" + round;
        try (ChildServer a = ChildServer.start("rtchat-backplane", broker.uri().toString(), prefix);
            ChildServer b = ChildServer.start("rtchat-backplane", broker.uri().toString(), prefix)) {
          ours.add(round, fanoutVia("rtchat x2 + backplane", List.of(wsUri(a), wsUri(b)), wsUri(a),
              receivers, messages, loginBudgetMillis));
        }
      }
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("receivers", receivers);
    extra.put("receivers_per_instance", (receivers + 1) / 2 + " + " + receivers / 2);
    extra.put("messages", messages);
    extra.put("window", WINDOW);
    extra.put("rounds", rounds);
    report(name, ours, single, extra, Map.of("ours_is", "2 instances + Mosquitto, sender on A",
        "baseline_is", "1 rtchat-server JVM, no backplane"), "single instance", receivers * messages);
  }

  private static long deadline(long budgetMillis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
  }

  private static void await(CompletableFuture<Void> login, long deadline, String kind, int done,
      int total) throws Exception {
    long left = deadline - System.nanoTime();
    try {
      login.get(Math.max(1, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException(kind + ": only " + done + " of " + total
          + " clients logged in within the login budget");
    }
  }

  /** Counts deliveries per message, releases the window, records latencies. */
  private static final class Tracker {
    private final int receivers;
    private final Semaphore window = new Semaphore(WINDOW);
    private final AtomicLong lastFrame = new AtomicLong(System.nanoTime());
    final AtomicLong lastDelivery = new AtomicLong();
    private volatile AtomicIntegerArray counts = new AtomicIntegerArray(1);
    private volatile int base;
    private volatile long[] latencies = new long[0];
    private final AtomicInteger next = new AtomicInteger();

    Tracker(int receivers) {
      this.receivers = receivers;
    }

    void onFrame(String text) {
      lastFrame.set(System.nanoTime());
      int at = text.indexOf(MARK);
      if (at < 0) {
        return;
      }
      long now = System.nanoTime();
      int p = at + MARK.length();
      int seq = 0;
      while (Character.isDigit(text.charAt(p))) {
        seq = seq * 10 + (text.charAt(p++) - '0');
      }
      p++;
      long sent = 0;
      while (p < text.length() && Character.isDigit(text.charAt(p))) {
        sent = sent * 10 + (text.charAt(p++) - '0');
      }
      int index = seq - base;
      AtomicIntegerArray c = counts;
      if (index < 0 || index >= c.length()) {
        return;
      }
      int slot = next.getAndIncrement();
      long[] l = latencies;
      if (slot < l.length) {
        l[slot] = now - sent;
      }
      if (c.incrementAndGet(index) == receivers) {
        lastDelivery.accumulateAndGet(now, Math::max);
        window.release();
      }
    }

    /** Sends messages {@code from} (inclusive) to {@code to}, at most WINDOW undelivered. */
    void run(ChatClient sender, int from, int to, long deadline) throws Exception {
      base = from;
      counts = new AtomicIntegerArray(to - from);
      latencies = new long[(to - from) * receivers];
      next.set(0);
      for (int seq = from; seq < to; seq++) {
        if (!window.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          throw new TimeoutException("message " + seq + " was not delivered to every receiver");
        }
        sender.send("{\"action\":\"message\",\"channel\":\"lobby\",\"message\":\"" + MARK + seq
            + " " + System.nanoTime() + "\"}").get(10, TimeUnit.SECONDS);
      }
      if (!window.tryAcquire(WINDOW, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new TimeoutException("the last messages were not delivered to every receiver");
      }
      window.release(WINDOW);
    }

    void reset(int nextBase) {
      base = nextBase;
      lastDelivery.set(0);
    }

    long[] latencies() {
      long[] l = latencies;
      int n = Math.min(next.get(), l.length);
      long[] copy = new long[n];
      System.arraycopy(l, 0, copy, 0, n);
      return copy;
    }

    /** Waits until no frame arrived for {@code gap} (the login storm is over), or the deadline. */
    void quiet(Duration gap, long deadline) throws InterruptedException {
      while (System.nanoTime() - lastFrame.get() < gap.toNanos() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
  }

  /** Heap per idle connected client in the server JVM (connected, not logged in). */
  void idle(int wanted) throws Exception {
    long limit = Sys.openFilesLimit();
    int clients = wanted;
    String note = "";
    long available = limit - Sys.openFiles() - 256;
    if (limit > 0 && available < clients) {
      clients = (int) Math.max(10, available);
      note = "scaled down from " + wanted + " to " + clients + ": open-files limit " + limit
          + " (ulimit -n; a process cannot raise it)";
      options.progress().accept("idle: " + note);
    }
    double raw = idleOn("raw", clients);
    double ours = idleOn("rtchat", clients);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("clients", clients);
    extra.put("goal_ours_max_kib", 20);
    extra.put("state", "WebSocket open, not logged in (a login broadcasts a who list to everyone)");
    if (!note.isEmpty()) {
      extra.put("note", note);
    }
    out.add(Measure.of("idle.heap_per_conn", ours, raw, "KiB", extra));
    options.progress().accept(String.format("idle: %.1f KiB vs raw %.1f KiB heap per connection at %d"
        + " clients", ours, raw, clients));
  }

  private double idleOn(String kind, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, Daemon.named("ws-idle"));
    HttpClient http = HttpClient.newBuilder().executor(pool).build();
    List<ChatClient> clients = new ArrayList<>();
    try (ChildServer server = ChildServer.start(kind)) {
      URI uri = URI.create("ws://127.0.0.1:" + server.port + "/ws");
      // One client first, so that per-server first-use costs stay out of the growth.
      clients.add(ChatClient.connect(http, uri, text -> {}).get(30, TimeUnit.SECONDS));
      long before = server.heap();
      int batch = 250;
      for (int i = 0; i < count; i += batch) {
        List<CompletableFuture<ChatClient>> pending = new ArrayList<>();
        for (int j = i; j < Math.min(count, i + batch); j++) {
          pending.add(ChatClient.connect(http, uri, text -> {}));
        }
        for (CompletableFuture<ChatClient> c : pending) {
          clients.add(c.get(60, TimeUnit.SECONDS));
        }
      }
      Thread.sleep(500);
      long after = server.heap();
      for (ChatClient c : clients) {
        if (c.closed()) {
          throw new IllegalStateException(kind + " server closed an idle client (" + c.closeCode + ")");
        }
      }
      return Math.max(0.001, (after - before) / 1024.0 / count);
    } finally {
      for (ChatClient c : clients) {
        c.abort();
      }
      pool.shutdownNow();
    }
  }
}
