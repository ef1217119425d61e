package io.rtchat.signal.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.EventRecorder;
import io.rtchat.core.Peer;
import io.rtchat.core.TransportContractTest;
import io.rtchat.core.signal.TransportState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Java peers over a relay that goes away and comes back mid-session. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PeerRelayRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private StandaloneRelay relay;

  @AfterEach
  void closeEverything() throws Exception {
    while (!toClose.isEmpty()) {
      toClose.pop().close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  private Peer peer(String name, EventRecorder recorder) throws Exception {
    URI uri = URI.create(relay.uri("demo") + "&maxBackoffMs=500");
    Peer peer = Peer.builder().name(name).signaling(uri).listener(recorder).build();
    toClose.push(peer);
    peer.join().get(15, TimeUnit.SECONDS);
    return peer;
  }

  @Test
  void dataChannelsSurviveARelayRestartAndPeersReconnect() throws Exception {
    relay = StandaloneRelay.start(0);
    int port = relay.port();
    EventRecorder aliceEvents = new EventRecorder();
    EventRecorder bobEvents = new EventRecorder();
    Peer alice = peer("alice", aliceEvents);
    Peer bob = peer("bob", bobEvents);
    aliceEvents.awaitEvent("connected", "bob");
    bobEvents.awaitEvent("connected", "alice");

    relay.close();
    await().atMost(WAIT).until(() -> alice.signalingState() == TransportState.SUSPENDED
        && bob.signalingState() == TransportState.SUSPENDED);
    alice.session("bob").orElseThrow().send("while the relay is away");
    bobEvents.awaitEvent("message", "alice", "while the relay is away");

    relay = StandaloneRelay.start("127.0.0.1", port, RelayLimits.defaults(),
        RelayAuthenticator.OPEN);
    await().atMost(WAIT).until(() -> alice.signalingState() == TransportState.RECONNECTED
        && bob.signalingState() == TransportState.RECONNECTED);
    EventRecorder carolEvents = new EventRecorder();
    peer("carol", carolEvents);
    carolEvents.awaitEvent("connected", "alice");
    carolEvents.awaitEvent("connected", "bob");
    bob.session("alice").orElseThrow().send("after the restart");
    aliceEvents.awaitEvent("message", "bob", "after the restart");

    await().atMost(WAIT).until(() -> alice.session("carol").isPresent());
    assertThat(aliceEvents.has("disconnected", "bob")).isFalse();
    assertThat(bobEvents.has("disconnected", "alice")).isFalse();
    assertThat(alice.session("carol").orElseThrow().signalingBytes())
        .isLessThanOrEqualTo(TransportContractTest.MAX_SIGNALING_BYTES_PER_CONNECTION);
  }
}
