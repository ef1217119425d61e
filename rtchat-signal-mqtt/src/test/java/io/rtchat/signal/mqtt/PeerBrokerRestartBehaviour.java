package io.rtchat.signal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.EventRecorder;
import io.rtchat.core.Peer;
import io.rtchat.core.TransportContractTest;
import io.rtchat.core.signal.TransportState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Peers over a broker that goes away and comes back mid-session. Subclasses name the broker. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class PeerBrokerRestartBehaviour {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private final String room = "room-" + UUID.randomUUID().toString().substring(0, 8);

  abstract TestBroker startBroker();

  @AfterEach
  void closeEverything() throws Exception {
    while (!toClose.isEmpty()) {
      toClose.pop().close();
    }
  }

  private Peer peer(TestBroker broker, String name, EventRecorder recorder) throws Exception {
    Peer peer = Peer.builder().name(name).signaling(broker.uri(room, "")).listener(recorder).build();
    toClose.push(peer);
    peer.join().get(15, TimeUnit.SECONDS);
    return peer;
  }

  @Test
  void sessionsSurviveABrokerRestartAndLatecomersFindTheOldPeers() throws Exception {
    TestBroker broker = startBroker();
    toClose.push(broker);
    EventRecorder aliceEvents = new EventRecorder();
    EventRecorder bobEvents = new EventRecorder();
    Peer alice = peer(broker, "alice", aliceEvents);
    Peer bob = peer(broker, "bob", bobEvents);
    aliceEvents.awaitEvent("connected", "bob");
    bobEvents.awaitEvent("connected", "alice");

    broker.stop();
    await().atMost(WAIT).until(() -> alice.signalingState() == TransportState.SUSPENDED
        && bob.signalingState() == TransportState.SUSPENDED);
    alice.session("bob").orElseThrow().send("while the broker is away");
    bobEvents.awaitEvent("message", "alice", "while the broker is away");

    broker.restart();
    await().atMost(WAIT).until(() -> alice.signalingState() == TransportState.RECONNECTED
        && bob.signalingState() == TransportState.RECONNECTED);
    EventRecorder carolEvents = new EventRecorder();
    peer(broker, "carol", carolEvents);
    carolEvents.awaitEvent("connected", "alice");
    carolEvents.awaitEvent("connected", "bob");
    bob.session("alice").orElseThrow().send("after the restart");
    aliceEvents.awaitEvent("message", "bob", "after the restart");

    assertThat(aliceEvents.has("disconnected", "bob")).isFalse();
    assertThat(bobEvents.has("disconnected", "alice")).isFalse();
    assertThat(carol(alice).signalingBytes())
        .isLessThanOrEqualTo(TransportContractTest.MAX_SIGNALING_BYTES_PER_CONNECTION);
  }

  private static io.rtchat.core.PeerSession carol(Peer peer) {
    return peer.session("carol").orElseThrow();
  }
}
