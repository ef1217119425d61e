package io.rtchat.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.core.auth.AuthResult;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who gets a session: connection policies and the authenticator hook, with real connections. */
class ConnectionPolicyTest {

  private final URI uri = URI.create("mem://policy/room-" + UUID.randomUUID());
  private final List<Peer> peers = new ArrayList<>();

  @AfterEach
  void close() {
    peers.forEach(Peer::close);
  }

  private Peer join(String name, EventRecorder events, ConnectionPolicy policy) throws Exception {
    return join(Peer.builder().name(name).listener(events).connectionPolicy(policy));
  }

  private Peer join(Peer.Builder builder) throws Exception {
    Peer peer = builder.signaling(uri).build();
    peers.add(peer);
    peer.join().get(10, TimeUnit.SECONDS);
    return peer;
  }

  @Test
  void aPeerThatRejectsAllNeverGetsASession() throws Exception {
    EventRecorder alice = new EventRecorder();
    EventRecorder bob = new EventRecorder();
    Peer alicePeer = join("alice", alice, ConnectionPolicy.acceptAll());
    Peer bobPeer = join("bob", bob, ConnectionPolicy.rejectAll());

    bob.awaitEvent("rejected", "alice", "refused by connection policy");
    EventRecorder carol = new EventRecorder();
    join("carol", carol, ConnectionPolicy.acceptAll());
    alice.awaitEvent("connected", "carol");

    assertThat(bobPeer.sessions()).isEmpty();
    assertThat(alicePeer.session("bob")).isEmpty();
    assertThat(alice.has("connected", "bob")).isFalse();
    assertThat(bob.has("connected", "alice")).isFalse();
  }

  @Test
  void acceptKnownConnectsOnlyListedNames() throws Exception {
    EventRecorder alice = new EventRecorder();
    join("alice", alice, ConnectionPolicy.acceptKnown(Set.of("bob")));
    join("bob", new EventRecorder(), ConnectionPolicy.acceptAll());
    join("mallory", new EventRecorder(), ConnectionPolicy.acceptAll());

    alice.awaitEvent("connected", "bob");
    alice.awaitEvent("rejected", "mallory");
    assertThat(alice.has("connected", "mallory")).isFalse();
  }

  @Test
  void anAskingPolicyDecidesAsynchronously() throws Exception {
    EventRecorder bob = new EventRecorder();
    CompletableFuture<Boolean> decision = new CompletableFuture<>();
    List<ConnectionRequest> asked = new ArrayList<>();
    join("alice", new EventRecorder(), ConnectionPolicy.acceptAll());
    join("bob", bob, ConnectionPolicy.ask(request -> {
      asked.add(request);
      return decision;
    }));
    org.awaitility.Awaitility.await().atMost(EventRecorder.TIMEOUT).until(() -> !asked.isEmpty());
    assertThat(bob.has("connected", "alice")).isFalse();

    decision.complete(true);

    bob.awaitEvent("connected", "alice");
    assertThat(asked.get(0).peerName()).isEqualTo("alice");
  }

  @Test
  void anAuthenticatorThatRejectsClosesTheConnectionBeforeTheApplicationSeesIt() throws Exception {
    EventRecorder alice = new EventRecorder();
    EventRecorder bob = new EventRecorder();
    join(Peer.builder().name("alice").listener(alice));
    join(Peer.builder().name("bob").listener(bob)
        .authenticator(exchange -> CompletableFuture.completedFuture(AuthResult.rejected("unknown key"))));

    bob.awaitEvent("rejected", "alice", "authentication failed: unknown key");
    assertThat(bob.has("connected", "alice")).isFalse();
  }

  @Test
  void authenticatorsTalkOverTheChannelAndSeeBothDtlsFingerprints() throws Exception {
    EventRecorder alice = new EventRecorder();
    EventRecorder bob = new EventRecorder();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.rtchat.core.auth.PeerAuthenticator handshake = exchange -> {
      exchange.send(exchange.localName() + "|" + exchange.localDtlsFingerprint());
      return exchange.receive().thenApply(message -> {
        seen.add(exchange.localName() + " got " + message);
        boolean matches = message.equals(exchange.remoteName() + "|" + exchange.remoteDtlsFingerprint());
        return matches ? AuthResult.verified("SHA256:test-" + exchange.remoteName())
            : AuthResult.rejected("fingerprint mismatch");
      });
    };
    Peer alicePeer = join(Peer.builder().name("alice").listener(alice).authenticator(handshake));
    join(Peer.builder().name("bob").listener(bob).authenticator(handshake));

    alice.awaitEvent("connected", "bob");
    bob.awaitEvent("connected", "alice");
    PeerSession toBob = alicePeer.session("bob").orElseThrow();
    assertThat(toBob.verified()).isTrue();
    assertThat(toBob.remoteFingerprint()).isEqualTo("SHA256:test-bob");
    assertThat(seen).hasSize(2).allMatch(line -> line.contains("sha-256 "));
  }
}
