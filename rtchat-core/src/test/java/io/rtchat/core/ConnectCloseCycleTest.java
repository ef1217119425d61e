package io.rtchat.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.rtc.RtcConnection;
import io.rtchat.core.rtc.RtcEngine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Many connect/close cycles in one JVM: no crash, threads bounded, nothing of a closed peer kept. */
class ConnectCloseCycleTest {

  private static final int CYCLES = 200;
  private static final int WARM_UP_CYCLES = 10;

  private RtcEngine.Hold keepAlive;

  /**
   * The engine's factory stays alive between cycles, as in a long-running process: disposing it
   * could free what webrtc-java holds and hide a leak.
   */
  @BeforeEach
  void keepTheEngineAlive() {
    keepAlive = RtcEngine.get().hold();
  }

  @AfterEach
  void releaseTheEngine() {
    keepAlive.close();
  }

  @Test
  void twoHundredConnectCloseCyclesLeaveNoClosedPeerReachable() throws Exception {
    int threadsBefore = -1;
    long heapBefore = -1;
    long peersBefore = -1;
    long linksBefore = -1;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      runOneCycle(cycle);
      if (cycle == WARM_UP_CYCLES - 1) { // factory, pools and JIT settled
        threadsBefore = Thread.activeCount();
        heapBefore = usedHeapAfterGc();
        peersBefore = LiveInstances.of(NativePeer.class);
        linksBefore = LiveInstances.of(PeerLink.class);
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> RtcEngine.get().openConnections() == 0);
    int measured = CYCLES - WARM_UP_CYCLES;

    // Exact counts first: they name what leaks. webrtc-java 0.14.0 never frees data-channel
    // observers, so anything they reach stays; a closed connection must not be among it.
    long peerLimit = peersBefore + 2;
    long linkLimit = linksBefore + 2;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(LiveInstances.of(NativePeer.class))
          .as("live peers after %d closed cycles", measured).isLessThanOrEqualTo(peerLimit);
      assertThat(LiveInstances.of(PeerLink.class))
          .as("live sessions after %d closed cycles", measured).isLessThanOrEqualTo(linkLimit);
      assertThat(LiveInstances.of(RtcConnection.class))
          .as("live connections after %d closed cycles, with %d open", measured,
              RtcEngine.get().openConnections())
          .isLessThanOrEqualTo(RtcEngine.get().openConnections() + 2);
    });
    assertThat(usedHeapAfterGc() - heapBefore).as("heap growth in bytes over %d cycles", measured)
        .isLessThan(1024L * 1024);
    assertThat(Thread.activeCount()).as("java threads after %d cycles", CYCLES)
        .isLessThanOrEqualTo(threadsBefore + 10);
    assertThat(nativeThreadCount()).as("process threads").isLessThan(200);
  }

  @Test
  void aClosedPeerLetsGoOfItsListenerAndSessions() throws Exception {
    List<WeakReference<Object>> closed = connectAndClose();

    await().atMost(Duration.ofSeconds(20)).until(() -> {
      System.gc();
      return closed.stream().allMatch(reference -> reference.get() == null);
    });
  }

  /**
   * A connected pair, closed; only weak references remain to what alice's peer held. Not to the
   * {@link Peer} itself: that facade is referenced by nothing but its user, so it would prove
   * nothing about the peer behind it.
   */
  private List<WeakReference<Object>> connectAndClose() throws Exception {
    URI uri = URI.create("mem://collect/room-" + UUID.randomUUID());
    SessionCatcher aliceListener = new SessionCatcher();
    try (Peer alice = Peer.builder().name("alice").signaling(uri).listener(aliceListener).build();
        Peer bob = Peer.builder().name("bob").signaling(uri).build()) {
      alice.join().get(10, TimeUnit.SECONDS);
      bob.join().get(10, TimeUnit.SECONDS);
      PeerSession withBob = aliceListener.connected.get(20, TimeUnit.SECONDS);
      return List.of(new WeakReference<>(aliceListener), new WeakReference<>(withBob));
    }
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
  private static long nativeThreadCount() {
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.count();
    } catch (IOException e) {
      return ManagementFactory.getThreadMXBean().getThreadCount();
    }
  }

  private static final class SessionCatcher implements PeerListener {
    final CompletableFuture<PeerSession> connected = new CompletableFuture<>();

    @Override
    public void onConnected(PeerSession session) {
      connected.complete(session);
    }
  }
}
