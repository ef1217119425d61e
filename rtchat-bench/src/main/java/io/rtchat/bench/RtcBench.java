package io.rtchat.bench;

import io.rtchat.core.rtc.RtcConnection;
import io.rtchat.core.rtc.RtcEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The WebRTC measures: ours (Peer/PeerSession) against raw {@link RtcConnection} pairs. */
final class RtcBench {

  private static final Logger log = LoggerFactory.getLogger(RtcBench.class);

  /** Same frame size as PeerSession's streams: 16 KiB per data-channel message. */
  static final int FRAME_BYTES = 16 * 1024;
  /** Same back-pressure window as PeerSession: pause while more than 1 MiB is buffered. */
  static final long HIGH_WATER_BYTES = 1024 * 1024;
  static final long TIMEOUT_MILLIS = 20_000;

  private final BenchOptions options;
  private final List<Measure> out;
  private int room;

  RtcBench(BenchOptions options, List<Measure> out) {
    this.options = options;
    this.out = out;
  }

  private URI nextRoom(Function<String, URI> signaling) {
    return signaling.apply("bench-" + ProcessHandle.current().pid() + "-" + (++room));
  }

  // ------------------------------------------------------------------ connect + signaling bytes

  /**
   * Connect time join → both sessions open, over one transport, against raw RtcConnection pairs
   * negotiated in-process; plus the signaling bytes of each connection.
   */
  void connect(String transport, Function<String, URI> signaling, int runs) throws Exception {
    // One unmeasured connection each, so that class loading and the first pair's cost stay out.
    RawPair.connect(TIMEOUT_MILLIS).close();
    PeerPair.connect(nextRoom(signaling), null, TIMEOUT_MILLIS).close();
    long[] ours = new long[runs];
    long[] raw = new long[runs];
    long[] oursBytes = new long[runs];
    long[] naiveBytes = new long[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      try (RawPair pair = RawPair.connect(TIMEOUT_MILLIS)) {
        raw[i] = System.nanoTime() - start;
        naiveBytes[i] = pair.naiveSignalingBytes();
      }
      URI uri = nextRoom(signaling);
      start = System.nanoTime();
      try (PeerPair pair = PeerPair.connect(uri, null, TIMEOUT_MILLIS)) {
        ours[i] = System.nanoTime() - start;
        oursBytes[i] = pair.aliceSession.signalingBytes();
      }
    }
    Stats o = Stats.ofNanos(ours, 1e6);
    Stats r = Stats.ofNanos(raw, 1e6);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("runs", runs);
    extra.put("ours_p95_ms", Stats.round(o.percentile(95), 2));
    extra.put("baseline_p95_ms", Stats.round(r.percentile(95), 2));
    extra.put("p95_ratio", Stats.round(o.percentile(95) / r.percentile(95), 3));
    out.add(Measure.of("connect." + transport, o.median(), r.median(), "ms", extra));
    options.progress().accept(String.format("connect.%s: median %.1f ms vs raw %.1f ms", transport,
        o.median(), r.median()));

    double[] ob = Arrays.stream(oursBytes).asDoubleStream().toArray();
    double[] nb = Arrays.stream(naiveBytes).asDoubleStream().toArray();
    Stats os = Stats.of(ob);
    Stats ns = Stats.of(nb);
    Map<String, Object> bytesExtra = new LinkedHashMap<>();
    bytesExtra.put("ours_max", (long) os.percentile(100));
    bytesExtra.put("goal_ours_max", 1536);
    bytesExtra.put("counted", "payloads of envelopes sent and received by one side for one"
        + " connection (announce, offer, answer, candidates), without transport framing");
    bytesExtra.put("baseline_is", "full SDP offer and answer as {type,sdp} JSON plus trickled"
        + " candidates as JSON");
    out.add(Measure.of("signaling_bytes." + transport, os.median(), ns.median(), "bytes",
        bytesExtra));
  }

  // ------------------------------------------------------------------ RTT

  /**
   * 16-byte echo round trips: ask("echo") and a chat-message ping-pong vs a raw ping-pong. The
   * three kinds run interleaved in blocks, so that load from other processes hits all alike.
   */
  void rtt(Function<String, URI> signaling) throws Exception {
    int warmup = options.count(100, 300, 10);
    int rounds = options.count(500, 3000, 30);
    int block = Math.min(50, rounds);
    String payload = "0123456789abcdef";
    byte[] raw16 = payload.getBytes(StandardCharsets.UTF_8);
    long[] raw = new long[rounds];
    long[] ask = new long[rounds];
    long[] message = new long[rounds];
    try (RawPair rawPair = RawPair.connect(TIMEOUT_MILLIS);
        PeerPair pair = PeerPair.connect(nextRoom(signaling), null, TIMEOUT_MILLIS)) {
      AtomicReference<CompletableFuture<byte[]>> rawReply = new AtomicReference<>();
      rawPair.receiver((p, offererSide, data, binary) -> {
        if (offererSide) {
          rawReply.get().complete(data);
        } else {
          p.answerer.send(RawPair.LABEL, data, binary);
        }
      });
      AtomicReference<CompletableFuture<String>> reply = new AtomicReference<>();
      pair.bobSide.onMessage = (session, m) -> session.send(m.text());
      pair.aliceSide.onMessage = (session, m) -> reply.get().complete(m.text());
      Duration timeout = Duration.ofMillis(TIMEOUT_MILLIS);
      for (int from = -warmup; from < rounds; from += block) {
        int to = Math.min(rounds, from + block);
        for (int i = from; i < to; i++) {
          CompletableFuture<byte[]> next = new CompletableFuture<>();
          rawReply.set(next);
          long start = System.nanoTime();
          rawPair.offerer.send(RawPair.LABEL, raw16, false);
          next.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
          if (i >= 0) {
            raw[i] = System.nanoTime() - start;
          }
        }
        for (int i = from; i < to; i++) {
          long start = System.nanoTime();
          pair.aliceSession.ask("echo", payload, timeout).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
          if (i >= 0) {
            ask[i] = System.nanoTime() - start;
          }
        }
        for (int i = from; i < to; i++) {
          CompletableFuture<String> next = new CompletableFuture<>();
          reply.set(next);
          long start = System.nanoTime();
          pair.aliceSession.send(payload);
          next.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
          if (i >= 0) {
            message[i] = System.nanoTime() - start;
          }
        }
      }
    }
    Stats r = Stats.ofNanos(raw, 1e3);
    addRtt("rtt.ask", Stats.ofNanos(ask, 1e3), r, rounds,
        "PeerSession.ask(\"echo\", 16 chars) until the answer future completes");
    addRtt("rtt.message", Stats.ofNanos(message, 1e3), r, rounds,
        "PeerSession.send(16 chars), the other side's listener sends it back");
  }

  private void addRtt(String name, Stats ours, Stats raw, int rounds, String what) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("rounds", rounds);
    extra.put("ours_p99_us", Stats.round(ours.percentile(99), 1));
    extra.put("baseline_p99_us", Stats.round(raw.percentile(99), 1));
    extra.put("p99_ratio", Stats.round(ours.percentile(99) / raw.percentile(99), 3));
    extra.put("goal_ratio_max", 1.2);
    extra.put("ours_is", what);
    extra.put("baseline_is", "16-byte text message on a raw RtcConnection channel, echoed back");
    out.add(Measure.of(name, ours.median(), raw.median(), "us", extra));
    options.progress().accept(String.format("%s: median %.0f us vs raw %.0f us", name,
        ours.median(), raw.median()));
  }

  // ------------------------------------------------------------------ throughput

  /**
   * Bulk transfer through PeerSession.sendStream vs raw 16 KiB messages, same window. Rounds
   * alternate raw and ours (2 quick, 3 full); each side's figure is its median round.
   */
  void throughput(Function<String, URI> signaling) throws Exception {
    long size = options.size(16L << 20, 64L << 20, 1L << 20);
    int rounds = options.quick() ? 2 : 3;
    Path directory = Files.createTempDirectory("rtchat-bench-");
    long[] rawRounds = new long[rounds];
    long[] oursRounds = new long[rounds];
    long rawPeak = 0;
    long oursPeak = 0;
    long rawOld = 0;
    long oursOld = 0;
    double lastByteMs = 0;
    double storedMs = 0;
    try (RawPair raw = RawPair.connect(TIMEOUT_MILLIS);
        PeerPair pair = PeerPair.connect(nextRoom(signaling), directory, TIMEOUT_MILLIS)) {
      // One unmeasured 1 MiB transfer each: JIT and first-use costs stay out of the figures.
      rawTransfer(raw, 1 << 20, null);
      oursTransfer(pair, 1 << 20, null);
      for (int round = 0; round < rounds; round++) {
        HeapSampler rawHeap = HeapSampler.start();
        rawRounds[round] = rawTransfer(raw, size, rawHeap);
        rawPeak = Math.max(rawPeak, rawHeap.peakGrowth());
        rawOld = Math.max(rawOld, rawHeap.oldGenGrowth());
        HeapSampler oursHeap = HeapSampler.start();
        long start = System.nanoTime();
        oursRounds[round] = oursTransfer(pair, size, oursHeap);
        lastByteMs += (pair.bobSide.lastByteNanos - start) / 1e6 / rounds;
        storedMs += (pair.bobSide.fileReceivedNanos - start) / 1e6 / rounds;
        oursPeak = Math.max(oursPeak, oursHeap.peakGrowth());
        oursOld = Math.max(oursOld, oursHeap.oldGenGrowth());
      }
    } finally {
      deleteTree(directory);
    }
    long rawNanos = (long) Stats.ofNanos(rawRounds, 1).median();
    long oursNanos = (long) Stats.ofNanos(oursRounds, 1).median();
    double mib = size / (double) (1 << 20);
    double ours = size / 1e6 / (oursNanos / 1e9);
    double raw = size / 1e6 / (rawNanos / 1e9);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("bytes", size);
    extra.put("rounds", rounds);
    extra.put("ours_rounds_mb_s", rates(size, oursRounds));
    extra.put("baseline_rounds_mb_s", rates(size, rawRounds));
    extra.put("frame_bytes", FRAME_BYTES);
    extra.put("window_bytes", HIGH_WATER_BYTES);
    extra.put("goal_ratio_min", 0.9);
    extra.put("ours_ms", Stats.round(oursNanos / 1e6, 1));
    extra.put("ours_last_byte_written_ms_mean", Stats.round(lastByteMs, 1));
    extra.put("ours_file_stored_ms_mean", Stats.round(storedMs, 1));
    extra.put("baseline_ms", Stats.round(rawNanos / 1e6, 1));
    extra.put("ours_is", "sendStream until the receiver confirmed the SHA-256; receiver writes a"
        + " temp file and hashes, sender hashes");
    extra.put("baseline_is", "RtcConnection.send of 16 KiB binary messages until the receiver"
        + " counted every byte");
    out.add(Measure.of("throughput", ours, raw, "MB/s", extra));
    options.progress().accept(String.format("throughput (%.0f MiB): %.1f MB/s vs raw %.1f MB/s",
        mib, ours, raw));

    Map<String, Object> heapExtra = new LinkedHashMap<>();
    heapExtra.put("bytes", size);
    heapExtra.put("ours_old_gen_growth_mib", Stats.round(oursOld / 1048576.0, 2));
    heapExtra.put("baseline_old_gen_growth_mib", Stats.round(rawOld / 1048576.0, 2));
    heapExtra.put("ours_is", "highest over the rounds of: peak sampled used heap minus the used heap"
        + " after a GC before the transfer (young garbage included)");
    heapExtra.put("goal", "flat: no growth with the transfer size");
    out.add(Measure.of("throughput.peak_heap", mibAtLeastTiny(oursPeak), mibAtLeastTiny(rawPeak),
        "MiB", heapExtra));
  }

  private static long rawTransfer(RawPair pair, long size, HeapSampler heap) throws Exception {
    AtomicLong received = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    pair.receiver((p, offererSide, data, binary) -> {
      if (!offererSide && received.addAndGet(data.length) >= size) {
        done.countDown();
      }
    });
    long start = System.nanoTime();
    try (InputStream content = new PatternStream(size)) {
      byte[] frame = new byte[FRAME_BYTES];
      int read;
      while ((read = content.readNBytes(frame, 0, frame.length)) > 0) {
        while (pair.offerer.bufferedAmount(RawPair.LABEL) > HIGH_WATER_BYTES) {
          LockSupport.parkNanos(200_000);
        }
        pair.offerer.send(RawPair.LABEL, read == frame.length ? frame : Arrays.copyOf(frame, read),
            true);
      }
    }
    if (!done.await(size / 1024 + TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("raw transfer stalled at " + received.get() + " bytes");
    }
    long nanos = System.nanoTime() - start;
    if (heap != null) {
      heap.stop();
    }
    return nanos;
  }

  private static long oursTransfer(PeerPair pair, long size, HeapSampler heap) throws Exception {
    long start = System.nanoTime();
    try (InputStream content = new PatternStream(size)) {
      pair.aliceSession.sendStream("bench.bin", content, size, (sent, total) -> {})
          .get(size / 1024 + TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
    long nanos = System.nanoTime() - start;
    if (heap != null) {
      heap.stop();
    }
    return nanos;
  }

  private static String rates(long size, long[] nanos) {
    StringBuilder text = new StringBuilder();
    for (long n : nanos) {
      text.append(text.length() == 0 ? "" : " ").append(Math.round(size / 1e6 / (n / 1e9) * 10) / 10.0);
    }
    return text.toString();
  }

  private static double mibAtLeastTiny(long bytes) {
    return Math.max(0.01, bytes / 1048576.0);
  }

  // ------------------------------------------------------------------ memory

  /**
   * RSS and heap per connected peer with {@code pairs} pairs open at once, in two rounds each
   * (raw, ours, raw, ours) so that the allocator's reuse of memory freed by the previous round
   * favours neither side; the figure is the mean of the rounds.
   */
  void memoryPerPeer(Function<String, URI> signaling) throws Exception {
    int pairs = options.count(10, 40, 3);
    long[] raw = new long[2];
    long[] ours = new long[2];
    // Run alone (--only memory), the first raw round would otherwise carry the first connection's
    // costs (native threads, classes, JIT): megabytes of RSS and heap that no later pair pays.
    warmUp(() -> RawPair.connect(TIMEOUT_MILLIS));
    warmUp(() -> PeerPair.connect(nextRoom(signaling), null, TIMEOUT_MILLIS));
    for (int round = 0; round < 2; round++) {
      long[] r = held(pairs, () -> RawPair.connect(TIMEOUT_MILLIS));
      long[] o = held(pairs, () -> PeerPair.connect(nextRoom(signaling), null, TIMEOUT_MILLIS));
      for (int k = 0; k < 2; k++) {
        raw[k] += r[k] / 2;
        ours[k] += o[k] / 2;
      }
    }
    int peers = 2 * pairs;
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("peers", peers);
    extra.put("rounds", 2);
    extra.put("note", "both ends of every pair live in this JVM; per peer = growth / (2 x pairs);"
        + " RSS growth is net of the Java heap's committed size, floored at 1 byte");
    out.add(Measure.of("memory.peer.rss", kib(ours[0], peers), kib(raw[0], peers), "KiB", extra));
    out.add(Measure.of("memory.peer.heap", kib(ours[1], peers), kib(raw[1], peers), "KiB", extra));
    options.progress().accept(String.format("memory per peer: RSS %.0f KiB vs raw %.0f KiB, heap"
        + " %.1f KiB vs raw %.1f KiB", kib(ours[0], peers), kib(raw[0], peers), kib(ours[1], peers),
        kib(raw[1], peers)));
  }

  /** RSS and heap growth per connect/close cycle after {@code cycles} cycles. */
  void cycles(Function<String, URI> signaling) throws Exception {
    int cycles = options.count(100, 1000, 5);
    long[] raw = cycled(cycles, () -> RawPair.connect(TIMEOUT_MILLIS));
    long[] ours = cycled(cycles, () -> PeerPair.connect(nextRoom(signaling), null, TIMEOUT_MILLIS));
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("cycles", cycles);
    extra.put("ours_total_rss_growth_mib", Stats.round(ours[0] / 1048576.0, 1));
    extra.put("baseline_total_rss_growth_mib", Stats.round(raw[0] / 1048576.0, 1));
    extra.put("ours_heap_growth_kib_per_cycle", Stats.round(ours[1] / 1024.0 / cycles, 2));
    extra.put("baseline_heap_growth_kib_per_cycle", Stats.round(raw[1] / 1024.0 / cycles, 2));
    extra.put("note", "webrtc-java 0.14.0 never frees a closed native peer connection"
        + " (WEBRTC-JAVA.md), so both sides grow");
    out.add(Measure.of("memory.cycle.rss", Math.max(0.01, kib(ours[0], cycles)),
        Math.max(0.01, kib(raw[0], cycles)), "KiB/cycle", extra));
    options.progress().accept(String.format("%d connect/close cycles: RSS +%.0f KiB/cycle vs raw"
        + " +%.0f KiB/cycle", cycles, kib(ours[0], cycles), kib(raw[0], cycles)));
  }

  private interface Opener {
    AutoCloseable open() throws Exception;
  }

  /**
   * {RSS growth outside the Java heap, heap growth} with {@code count} connections held open.
   * The heap's own commits and uncommits move RSS by megabytes; they are taken out.
   */
  private static long[] held(int count, Opener opener) throws Exception {
    long heap0 = Sys.heapAfterGc();
    long rss0 = Sys.rssBytes() - Sys.committedHeap();
    List<AutoCloseable> open = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        open.add(opener.open());
      }
      long heap1 = Sys.heapAfterGc();
      long rss1 = Sys.rssBytes() - Sys.committedHeap();
      return new long[] {Math.max(1, rss1 - rss0), Math.max(1, heap1 - heap0)};
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  private static long[] cycled(int count, Opener opener) throws Exception {
    warmUp(opener);
    long heap0 = Sys.heapAfterGc();
    long rss0 = Sys.rssBytes() - Sys.committedHeap();
    for (int i = 0; i < count; i++) {
      opener.open().close();
    }
    long heap1 = Sys.heapAfterGc();
    long rss1 = Sys.rssBytes() - Sys.committedHeap();
    return new long[] {rss1 - rss0, heap1 - heap0};
  }

  /** Opens and closes a few times, so that first-use costs (classes, thread pools, JIT) stay out. */
  private static void warmUp(Opener opener) throws Exception {
    for (int i = 0; i < 3; i++) {
      opener.open().close();
    }
  }

  private static double kib(long bytes, int per) {
    return bytes / 1024.0 / per;
  }

  static void deleteTree(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.debug("could not delete {}", p);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pseudo-random bytes of a given length without holding them: a 64 KiB block repeated. */
  static final class PatternStream extends InputStream {
    private static final byte[] BLOCK = new byte[64 * 1024];

    static {
      new Random(42).nextBytes(BLOCK);
    }

    private final long size;
    private long position;

    PatternStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return position < size ? BLOCK[(int) (position++ % BLOCK.length)] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      int done = 0;
      while (done < n) {
        int at = (int) ((position + done) % BLOCK.length);
        int chunk = Math.min(n - done, BLOCK.length - at);
        System.arraycopy(BLOCK, at, b, off + done, chunk);
        done += chunk;
      }
      position += n;
      return n;
    }
  }

  /** Samples the used heap every 5 ms from start to stop. */
  static final class HeapSampler {
    private final long heapBefore = Sys.heapAfterGc();
    private final long oldBefore = Sys.oldGenUsed();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;
    private volatile long oldPeak;

    private HeapSampler() {
      thread = Daemon.named("heap-sampler").newThread(() -> {
        while (running) {
          peak = Math.max(peak, Sys.usedHeap());
          oldPeak = Math.max(oldPeak, Sys.oldGenUsed());
          LockSupport.parkNanos(5_000_000);
        }
      });
    }

    static HeapSampler start() {
      HeapSampler sampler = new HeapSampler();
      sampler.thread.start();
      return sampler;
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    long peakGrowth() {
      return Math.max(0, peak - heapBefore);
    }

    long oldGenGrowth() {
      return Math.max(0, oldPeak - oldBefore);
    }
  }
}
