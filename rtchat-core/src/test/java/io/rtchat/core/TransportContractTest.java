package io.rtchat.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every signaling transport must let peers do. A transport module extends this class and
 * says how to reach its backend; the same scenarios then run against mem, MQTT and WebSocket.
 */
public abstract class TransportContractTest {

  /** Largest signaling payload per established connection, all envelopes both ways. */
  public static final long MAX_SIGNALING_BYTES_PER_CONNECTION = 1500;

  private final List<Peer> peers = new ArrayList<>();
  protected final String room = "room-" + UUID.randomUUID().toString().substring(0, 8);

  /** The URI peers use to join {@code room} on the transport under test. */
  protected abstract URI signalingUri(String room);

  protected Peer startPeer(String name, EventRecorder recorder) throws Exception {
    Peer peer = Peer.builder().name(name).signaling(signalingUri(room)).room(room)
        .listener(recorder).build();
    peers.add(peer);
    peer.join().get(15, TimeUnit.SECONDS);
    return peer;
  }

  @AfterEach
  void closePeers() {
    peers.forEach(Peer::close);
  }

  @Test
  void twoPeersConnectAndChatBothWays() throws Exception {
    EventRecorder alice = new EventRecorder();
    EventRecorder bob = new EventRecorder();
    Peer alicePeer = startPeer("alice", alice);
    Peer bobPeer = startPeer("bob", bob);

    alice.awaitEvent("connected", "bob");
    bob.awaitEvent("connected", "alice");
    alicePeer.session("bob").orElseThrow().send("hello bob");
    bobPeer.session("alice").orElseThrow().send("hello alice");

    bob.awaitEvent("message", "alice", "hello bob");
    alice.awaitEvent("message", "bob", "hello alice");
  }

  @Test
  void fivePeersFormAFullMesh() throws Exception {
    List<EventRecorder> recorders = new ArrayList<>();
    List<Peer> mesh = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      EventRecorder recorder = new EventRecorder();
      recorders.add(recorder);
      mesh.add(startPeer("p" + i, recorder));
    }

    await().atMost(Duration.ofSeconds(40))
        .until(() -> mesh.stream().allMatch(p -> p.sessions().size() == 4));
    mesh.get(0).sessions().forEach(s -> s.send("to everyone"));
    for (int i = 1; i < 5; i++) {
      recorders.get(i).awaitEvent("message", "p0", "to everyone");
    }
  }

  @Test
  void questionsAreAnsweredAcrossTheTransport() throws Exception {
    EventRecorder alice = new EventRecorder();
    Peer alicePeer = startPeer("alice", alice);
    startPeer("bob", new EventRecorder());
    alice.awaitEvent("connected", "bob");

    String answer = alicePeer.session("bob").orElseThrow()
        .ask("echo", "hi", Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);

    assertThat(answer).isEqualTo("hi");
  }

  @Test
  void aPeerThatLeavesIsSeenDisconnected() throws Exception {
    EventRecorder alice = new EventRecorder();
    startPeer("alice", alice);
    Peer bob = startPeer("bob", new EventRecorder());
    alice.awaitEvent("connected", "bob");

    bob.close();

    alice.awaitEvent("disconnected", "bob");
  }

  @Test
  void signalingForOneConnectionStaysSmall() throws Exception {
    EventRecorder alice = new EventRecorder();
    EventRecorder bob = new EventRecorder();
    Peer alicePeer = startPeer("alice", alice);
    Peer bobPeer = startPeer("bob", bob);
    alice.awaitEvent("connected", "bob");
    bob.awaitEvent("connected", "alice");

    long aliceSide = alicePeer.session("bob").orElseThrow().signalingBytes();
    long bobSide = bobPeer.session("alice").orElseThrow().signalingBytes();

    assertThat(aliceSide).isPositive().isLessThanOrEqualTo(MAX_SIGNALING_BYTES_PER_CONNECTION);
    assertThat(bobSide).isPositive().isLessThanOrEqualTo(MAX_SIGNALING_BYTES_PER_CONNECTION);
  }
}
