package io.rtchat.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.core.rtc.RtcEngine;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Many connect/close cycles in one JVM: no crash, and threads and heap stay bounded. */
class ConnectCloseCycleTest {

  private static final int CYCLES = 200;

  @Test
  void twoHundredConnectCloseCyclesKeepThreadsAndHeapBounded() throws Exception {
    int threadsBefore = -1;
    long heapBefore = -1;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      runOneCycle(cycle);
      if (cycle == 9) { // after warm-up: factory, pools and JIT settled
        threadsBefore = Thread.activeCount();
        heapBefore = usedHeapAfterGc();
      }
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> RtcEngine.get().openConnections() == 0);

    int threadsAfter = Thread.activeCount();
    long heapAfter = usedHeapAfterGc();
    assertThat(threadsAfter).as("java threads after %d cycles", CYCLES).isLessThanOrEqualTo(threadsBefore + 10);
    assertThat(nativeThreadCount()).as("process threads").isLessThan(200);
    assertThat(heapAfter - heapBefore).as("heap growth in bytes").isLessThan(32L * 1024 * 1024);
  }

  @Test
  void aClosedPeerCanBeCollectedWhileTheEngineLivesOn() throws Exception {
    // An open connection keeps the factory alive, and with it the observers webrtc-java never frees.
    java.util.concurrent.ExecutorService events = java.util.concurrent.Executors.newSingleThreadExecutor();
    try (io.rtchat.core.rtc.RtcConnection keepAlive = RtcEngine.get().open(java.util.List.of(),
        new io.rtchat.core.rtc.RtcConnection.Listener() {
          public void onLocalCandidate(String candidate) {}
          public void onChannelOpen(String label) {}
          public void onChannelMessage(String label, byte[] data, boolean binary) {}
          public void onChannelClosed(String label) {}
          public void onConnectionLost(String reason) {}
        }, events)) {
      java.lang.ref.WeakReference<Peer> closed = connectAndClose();

      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
        System.gc();
        return closed.get() == null;
      });
    } finally {
      events.shutdownNow();
    }
  }

  /** A connected pair, closed; only a weak reference to one of them remains. */
  private java.lang.ref.WeakReference<Peer> connectAndClose() throws Exception {
    URI uri = URI.create("mem://collect/room-" + UUID.randomUUID());
    EventRecorder aliceEvents = new EventRecorder();
    Peer alice = Peer.builder().name("alice").signaling(uri).listener(aliceEvents).build();
    try (Peer bob = Peer.builder().name("bob").signaling(uri).build()) {
      alice.join().get(10, TimeUnit.SECONDS);
      bob.join().get(10, TimeUnit.SECONDS);
      aliceEvents.awaitEvent("connected", "bob");
    } finally {
      alice.close();
    }
    return new java.lang.ref.WeakReference<>(alice);
  }

  private void runOneCycle(int cycle) throws Exception {
    URI uri = URI.create("mem://cycles/room-" + UUID.randomUUID());
    EventRecorder aliceEvents = new EventRecorder();
    try (Peer alice = Peer.builder().name("alice").signaling(uri).listener(aliceEvents).build();
        Peer bob = Peer.builder().name("bob").signaling(uri).build()) {
      alice.join().get(10, TimeUnit.SECONDS);
      bob.join().get(10, TimeUnit.SECONDS);
      aliceEvents.awaitEvent("connected", "bob");
      assertThat(alice.session("bob").orElseThrow().ask("echo", "c" + cycle, Duration.ofSeconds(5))
          .get(5, TimeUnit.SECONDS)).isEqualTo("c" + cycle);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  /** Threads of the whole process, native ones included (Linux). */
  private static long nativeThreadCount() throws Exception {
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
      return tasks.count();
    } catch (java.io.IOException e) {
      return ManagementFactory.getThreadMXBean().getThreadCount();
    }
  }
}
