package io.rtchat.core.rtc;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Races every native call of {@link RtcConnection} against its close, in a JVM of its own because
 * losing such a race is a SIGSEGV in libwebrtc, not an exception. Each round connects pairs at once,
 * then closes them while a thread per channel and end keeps sending and polling the buffered
 * amount, and each end echoes what it receives. Every other round closes both ends of each pair at
 * once from two threads; the rounds between close one end and let the other close itself from its
 * event thread when it hears of it (as a session does on a goodbye). Once, halfway, the next open
 * is aimed at the engine's idle disposal of the factory.
 *
 * <p>Arguments: seconds to run, pairs per round. Exits 0 after the last round, 1 on any failure.
 */
final class NativeLifecycleStress {

  // Every channel of a closing connection is one more disposal for a send to race.
  private static final List<String> LABELS = List.of("a", "b", "c", "d");
  private static final long STEP_TIMEOUT_SECONDS = 20;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final Queue<RuntimeException> unexpected = new ConcurrentLinkedQueue<>();

  public static void main(String[] args) {
    long seconds = Long.parseLong(args[0]);
    int pairs = Integer.parseInt(args[1]);
    NativeLifecycleStress stress = new NativeLifecycleStress();
    int status = 0;
    try {
      int rounds = stress.run(TimeUnit.SECONDS.toNanos(seconds), pairs);
      System.out.printf("rounds %d, pairs %d, sent %d, refused %d, received %d%n", rounds, pairs,
          stress.sent.get(), stress.refused.get(), stress.received.get());
    } catch (Throwable t) {
      t.printStackTrace();
      status = 1;
    } finally {
      RtcEngine.get().shutdown(); // the native signaling thread would keep the JVM alive
    }
    System.exit(status);
  }

  private int run(long nanos, int pairs) throws Exception {
    long halfway = System.nanoTime() + nanos / 2;
    long deadline = System.nanoTime() + nanos;
    boolean aimed = false;
    int rounds = 0;
    ExecutorService workers = Executors.newCachedThreadPool();
    try {
      while (System.nanoTime() < deadline) {
        if (!aimed && System.nanoTime() > halfway) {
          aimAtIdleDisposal();
          aimed = true;
        }
        round(workers, pairs, rounds % 2 == 0);
        rounds++;
      }
    } finally {
      workers.shutdownNow();
    }
    return rounds;
  }

  /**
   * Waits until just around the moment the engine disposes its idle factory, so that the next open
   * races the disposal timer. A pause, not a synchronisation: either side may win.
   */
  private static void aimAtIdleDisposal() {
    long jitter = ThreadLocalRandom.current().nextLong(-20, 20);
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RtcEngine.IDLE_DISPOSE_MILLIS + jitter));
  }

  private void round(ExecutorService workers, int pairs, boolean closeBothAtOnce)
      throws Exception {
    List<CompletableFuture<Pair>> connecting = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      connecting.add(CompletableFuture.supplyAsync(this::connect, workers));
    }
    List<Pair> connected = new ArrayList<>();
    for (CompletableFuture<Pair> pair : connecting) {
      connected.add(pair.get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
    CountDownLatch stopped = new CountDownLatch(connected.size() * 2 * LABELS.size());
    for (Pair pair : connected) {
      for (String label : LABELS) {
        workers.execute(() -> sendUntilClosed(pair.offerer, label, stopped));
        workers.execute(() -> sendUntilClosed(pair.answerer, label, stopped));
      }
    }
    List<CompletableFuture<?>> closing = new ArrayList<>();
    for (Pair pair : connected) {
      int sendsFirst = ThreadLocalRandom.current().nextInt(10);
      closing.add(CompletableFuture.runAsync(() -> {
        pair.offererEnd.awaitTraffic(sendsFirst);
        pair.offerer.close();
      }, workers));
      if (closeBothAtOnce) {
        closing.add(CompletableFuture.runAsync(() -> {
          pair.answererEnd.awaitTraffic(sendsFirst);
          pair.answerer.close();
        }, workers));
      }
    }
    CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
        .get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    for (Pair pair : connected) {
      if (!closeBothAtOnce
          && !pair.answererEnd.closedItself.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("an end did not hear of the other end's close");
      }
      pair.shutdown();
    }
    if (!stopped.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("senders still running after every connection closed");
    }
    RuntimeException first = unexpected.peek();
    if (first != null) {
      // e.g. "Object handle is null" from webrtc-java: a call reached a disposed channel, and
      // had it been a moment earlier, freed memory
      throw new IllegalStateException(unexpected.size() + " calls failed unexpectedly", first);
    }
  }

  private void sendUntilClosed(RtcConnection connection, String label, CountDownLatch stopped) {
    byte[] message = new byte[64];
    try {
      while (!connection.isClosed()) {
        try {
          connection.send(label, message, true);
          sent.incrementAndGet();
          connection.bufferedAmount(label);
        } catch (RtcException e) {
          refused.incrementAndGet(); // a closing channel refuses (closed or failed): never a crash
        }
      }
    } catch (RuntimeException e) {
      unexpected.add(e);
    } finally {
      stopped.countDown();
    }
  }

  private Pair connect() {
    Pair pair = new Pair();
    try {
      LABELS.forEach(pair.offerer::createChannel);
      String offer = pair.offerer.createOffer().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      String answer = pair.answerer.acceptOffer(offer).get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      pair.offerer.applyAnswer(answer).get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      CompletableFuture.allOf(pair.offererEnd.open, pair.answererEnd.open)
          .get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return pair;
    } catch (Exception e) {
      pair.offerer.close();
      pair.answerer.close();
      pair.shutdown();
      throw new IllegalStateException("pair did not connect", e);
    }
  }

  private final class Pair {
    final ExecutorService offererEvents = Executors.newSingleThreadExecutor();
    final ExecutorService answererEvents = Executors.newSingleThreadExecutor();
    final End offererEnd = new End();
    final End answererEnd = new End();
    final RtcConnection offerer;
    final RtcConnection answerer;

    Pair() {
      offerer = RtcEngine.get().open(List.of(), offererEnd, offererEvents);
      offererEnd.self = offerer;
      answerer = RtcEngine.get().open(List.of(), answererEnd, answererEvents);
      answererEnd.self = answerer;
      offererEnd.other = answerer;
      answererEnd.other = offerer;
    }

    void shutdown() {
      offererEvents.shutdown();
      answererEvents.shutdown();
    }
  }

  /** One end: trickles candidates to the other, echoes messages, closes itself when it hears. */
  private final class End implements RtcConnection.Listener {
    final CompletableFuture<Void> open = new CompletableFuture<>();
    final CountDownLatch closedItself = new CountDownLatch(1);
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger messages = new AtomicInteger();
    private final Object traffic = new Object();
    volatile RtcConnection self;
    volatile RtcConnection other;

    void awaitTraffic(int count) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_TIMEOUT_SECONDS);
      synchronized (traffic) {
        while (messages.get() < count && System.nanoTime() < deadline && !self.isClosed()) {
          try {
            traffic.wait(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    @Override
    public void onLocalCandidate(String candidate) {
      try {
        other.addRemoteCandidate(candidate);
      } catch (RtcChannelClosedException e) {
        // the other end closed meanwhile
      }
    }

    @Override
    public void onChannelOpen(String label) {
      if (opened.incrementAndGet() == LABELS.size()) {
        open.complete(null);
      }
    }

    @Override
    public void onChannelMessage(String label, byte[] data, boolean binary) {
      received.incrementAndGet();
      messages.incrementAndGet();
      synchronized (traffic) {
        traffic.notifyAll();
      }
      try {
        self.send(label, data, binary);
      } catch (RtcException e) {
        refused.incrementAndGet();
      } catch (RuntimeException e) {
        unexpected.add(e);
      }
    }

    @Override
    public void onChannelClosed(String label) {
      closeItself();
    }

    @Override
    public void onConnectionLost(String reason) {
      closeItself();
    }

    private void closeItself() {
      self.close();
      closedItself.countDown();
    }
  }
}
