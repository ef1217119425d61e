package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtchat.core.Peer;
import io.rtchat.core.PeerSession;
import io.rtchat.core.signal.Envelope;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.EnvelopeSealer;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity on real WebRTC connections between peers signaling over mem://. */
class PeerIdentityTest {

  private static final long WAIT = 20;
  private static RoomKey lobbyKey;
  private static RoomKey wrongLobbyKey;

  @TempDir Path dir;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final URI room = URI.create("mem://identity-" + UUID.randomUUID() + "/lobby");

  @BeforeAll
  static void deriveRoomKeys() {
    // PBKDF2 with 600 000 iterations: derive once for the class.
    lobbyKey = RoomKey.derive("lobby", "open sesame".toCharArray());
    wrongLobbyKey = RoomKey.derive("lobby", "open barley".toCharArray());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** One participant: its keys, trust, outcomes and peer. */
  private final class Member {
    final String name;
    final Identity identity;
    final KnownPeers knownPeers;
    final Recorder events = new Recorder();
    final BlockingQueue<IdentityAuthenticator.Outcome> outcomes = new LinkedBlockingQueue<>();
    CountingSealer sealer;
    Peer peer;

    Member(String name, Identity identity, KnownPeers knownPeers) {
      this.name = name;
      this.identity = identity;
      this.knownPeers = knownPeers;
    }

    Member(String name) {
      this(name, Identity.generate(), KnownPeers.builder().build());
    }

    IdentityAuthenticator authenticator() {
      return IdentityAuthenticator.builder().identity(identity).knownPeers(knownPeers)
          .observer(outcomes::add).build();
    }

    EnvelopeSealer signing() {
      return SignedEnvelopeSealer.builder().identity(identity).knownPeers(knownPeers).build();
    }

    Member join(EnvelopeSealer envelopeSealer, SignalingTransport transport) throws Exception {
      sealer = new CountingSealer(envelopeSealer);
      Peer.Builder builder = Peer.builder().name(name).authenticator(authenticator())
          .envelopeSealer(sealer).listener(events);
      peer = (transport == null ? builder.signaling(room) : builder.transport(transport).room("lobby"))
          .build();
      closeables.add(peer);
      peer.join().get(WAIT, TimeUnit.SECONDS);
      return this;
    }

    PeerSession connected() throws Exception {
      return events.connected.get(WAIT, TimeUnit.SECONDS);
    }

    IdentityAuthenticator.Outcome outcome() throws InterruptedException {
      IdentityAuthenticator.Outcome outcome = outcomes.poll(WAIT, TimeUnit.SECONDS);
      assertThat(outcome).as(name + " finished authenticating").isNotNull();
      return outcome;
    }

    String drop() throws InterruptedException {
      String reason = sealer.drops.poll(WAIT, TimeUnit.SECONDS);
      assertThat(reason).as(name + " dropped a payload").isNotNull();
      return reason;
    }
  }

  @Test
  void peersWithKeysVerifyEachOtherAndAgreeOnFingerprintsAndSafetyNumber() throws Exception {
    // alice uses RTChat's key type, bob the default
    Member alice = new Member("alice", Identity.generate(KeyType.RSA_PSS), KnownPeers.builder().build());
    Member bob = new Member("bob");
    alice.join(alice.signing(), null);
    bob.join(bob.signing(), null);

    PeerSession aliceToBob = alice.connected();
    PeerSession bobToAlice = bob.connected();

    assertThat(aliceToBob.verified()).isTrue();
    assertThat(bobToAlice.verified()).isTrue();
    assertThat(aliceToBob.remoteFingerprint()).isEqualTo(bob.identity.fingerprint());
    assertThat(bobToAlice.remoteFingerprint()).isEqualTo(alice.identity.fingerprint());
    KnownPeers.Entry bobAsAliceKnowsHim = alice.knownPeers.entries().get(0);
    KnownPeers.Entry aliceAsBobKnowsHer = bob.knownPeers.entries().get(0);
    assertThat(Fingerprints.safetyNumber("alice", alice.identity.publicKey(), "bob", bobAsAliceKnowsHim.key()))
        .isEqualTo(Fingerprints.safetyNumber("bob", bob.identity.publicKey(), "alice", aliceAsBobKnowsHer.key()));
    aliceToBob.send("hello bob");
    assertThat(bob.events.messages.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("hello bob");
  }

  @Test
  void acceptNewStoresANewNameAndRejectsADifferentKeyForItLater() throws Exception {
    Path file = dir.resolve("known_peers");
    Member alice = new Member("alice", Identity.generate(),
        KnownPeers.builder().file(file).policy(TrustPolicy.ACCEPT_NEW).build());
    alice.join(EnvelopeSealer.NONE, null);
    Member bob = new Member("bob").join(EnvelopeSealer.NONE, null);

    assertThat(alice.connected().verified()).isTrue();
    assertThat(Files.readString(file)).contains("bob ed25519 " + PublicKeys.toBase64(bob.identity.publicKey()));
    bob.peer.close();
    assertThat(alice.events.disconnects.poll(WAIT, TimeUnit.SECONDS)).startsWith("bob");
    alice.outcome();

    Member impostor = new Member("bob").join(EnvelopeSealer.NONE, null);

    IdentityAuthenticator.Outcome atAlice = alice.outcome();
    assertThat(atAlice.result().accepted()).isFalse();
    assertThat(atAlice.result().reason())
        .contains("KEY MISMATCH", impostor.identity.fingerprint(), bob.identity.fingerprint(), file + ":1");
    assertThat(impostor.outcome().result().accepted()).isFalse();
    assertThat(alice.events.connected.get().remoteName()).isEqualTo("bob"); // only the first bob
    assertThat(impostor.events.connected).isNotDone();
    assertThat(alice.knownPeers.entries()).hasSize(1);
  }

  @Test
  void strictRejectsAChangedKeyAndAnUnlistedName() throws Exception {
    Path file = dir.resolve("known_peers");
    KnownPeers strict = KnownPeers.builder().file(file).policy(TrustPolicy.STRICT).build();
    strict.add("bob", Identity.generate().publicKey(), "bob's old laptop");
    Member alice = new Member("alice", Identity.generate(), strict).join(EnvelopeSealer.NONE, null);
    Member bob = new Member("bob").join(EnvelopeSealer.NONE, null);

    IdentityAuthenticator.Outcome atAlice = alice.outcome();
    assertThat(atAlice.result().accepted()).isFalse();
    assertThat(atAlice.result().reason()).contains("KEY MISMATCH", bob.identity.fingerprint());
    assertThat(bob.outcome().result().accepted()).isFalse();

    bob.peer.close(); // else carol and bob, who trust anyone new, would connect to each other
    Member carol = new Member("carol").join(EnvelopeSealer.NONE, null);
    IdentityAuthenticator.Outcome aboutCarol = alice.outcome();
    assertThat(aboutCarol.remoteName()).isEqualTo("carol");
    assertThat(aboutCarol.result().reason()).contains("strict");
    IdentityAuthenticator.Outcome atCarol = carol.outcome();
    assertThat(atCarol.result().accepted()).isFalse();
    assertThat(atCarol.result().reason()).contains("alice");
    assertThat(carol.events.connected).isNotDone();
    assertThat(alice.events.connected).isNotDone();
    assertThat(strict.entries()).hasSize(1);
  }

  @Test
  void manInTheMiddleTerminatingDtlsOnBothLegsFailsTheChallengeOnBothSides() throws Exception {
    MitmRelay mallory = new MitmRelay("lobby");
    closeables.add(mallory);
    Member alice = new Member("alice").join(EnvelopeSealer.NONE, mallory.toAlice);
    Member bob = new Member("bob").join(EnvelopeSealer.NONE, mallory.toBob);

    // Both DTLS handshakes with Mallory succeed: the transport layer alone is fooled.
    mallory.aliceLegOpen.get(WAIT, TimeUnit.SECONDS);
    mallory.bobLegOpen.get(WAIT, TimeUnit.SECONDS);

    for (Member member : new Member[] {alice, bob}) {
      IdentityAuthenticator.Outcome outcome = member.outcome();
      assertThat(outcome.result().accepted()).as(member.name).isFalse();
      assertThat(outcome.result().reason()).as(member.name).contains("does not match this connection");
      assertThat(member.events.connected).as(member.name).isNotDone();
    }
    assertThat(alice.peer.sessions()).isEmpty();
    assertThat(bob.peer.sessions()).isEmpty();
    // Only the authentication exchange went through Mallory, never application data.
    assertThat(mallory.relayed).isNotEmpty()
        .allSatisfy(message -> assertThat(message).matches("(?s)\\S+ \\{\"t\":\"(auth|bye)\".*"));
    assertThat(alice.knownPeers.entries()).isEmpty();
  }

  @Test
  void forgedAndReplayedSignedEnvelopesAreDroppedAndTheSessionSurvives() throws Exception {
    RawMember mallory = new RawMember("mallory");
    Member bob = new Member("bob");
    bob.join(bob.signing(), null);
    mallory.join();
    Member alice = new Member("alice");
    alice.join(alice.signing(), null);
    bob.connected();
    alice.connected();
    ObjectMapper json = new ObjectMapper();
    byte[] genuineAnnounce = null;
    Envelope announce = null;
    for (byte[] payload : mallory.heard) {
      Envelope envelope = EnvelopeCodec.decode(
          json.readTree(payload).get("e").asText().getBytes(StandardCharsets.UTF_8));
      if (envelope.from().equals("alice") && envelope.kind() == Envelope.Kind.ANNOUNCE) {
        genuineAnnounce = payload;
        announce = envelope;
        break;
      }
    }
    assertThat(genuineAnnounce).as("mallory heard alice's signed announce").isNotNull();
    assertThat(bob.sealer.drops).isEmpty();

    // 1. replay alice's genuine, correctly signed announce
    mallory.send(genuineAnnounce);
    assertThat(bob.drop()).contains("replayed");

    // 2. a goodbye "from alice" signed with Mallory's own key
    EnvelopeSealer malloryKey = SignedEnvelopeSealer.builder().identity(Identity.generate())
        .knownPeers(KnownPeers.builder().build()).build();
    Envelope bye = new Envelope(Envelope.Kind.BYE, "lobby", "alice", announce.instance(), "bob", "left");
    mallory.send(malloryKey.seal(EnvelopeCodec.encode(bye)));
    assertThat(bob.drop()).contains("KEY MISMATCH");

    // 3. the same goodbye unsigned, and alice's signed announce edited into a goodbye
    mallory.send(EnvelopeCodec.encode(bye));
    assertThat(bob.drop()).contains("not a signed envelope");
    String edited = new String(genuineAnnounce, StandardCharsets.UTF_8).replace("\\\"k\\\":\\\"a\\\"", "\\\"k\\\":\\\"b\\\"");
    assertThat(edited).isNotEqualTo(new String(genuineAnnounce, StandardCharsets.UTF_8));
    mallory.send(edited.getBytes(StandardCharsets.UTF_8));
    assertThat(bob.drop()).contains("signature");

    PeerSession bobToAlice = bob.peer.session("alice").orElseThrow();
    assertThat(bobToAlice.ask("ping", "", Duration.ofSeconds(10)).get(WAIT, TimeUnit.SECONDS)).isEqualTo("pong");
    assertThat(bob.events.disconnects).isEmpty();
  }

  @Test
  void wrongRoomPasswordNeverConnectsAndTheBrokerSeesNoJson() throws Exception {
    TappedTransport aliceWire = new TappedTransport(room);
    Member alice = new Member("alice");
    alice.join(new RoomPasswordSealer(lobbyKey, alice.signing()), aliceWire);
    Member eve = new Member("eve");
    eve.join(new RoomPasswordSealer(wrongLobbyKey, eve.signing()), null);

    assertThat(alice.drop()).contains("wrong room password");
    assertThat(eve.drop()).contains("wrong room password");
    assertThat(alice.peer.sessions()).isEmpty();
    assertThat(eve.events.connected).isNotDone();

    assertThat(aliceWire.sent).isNotEmpty();
    assertThat(aliceWire.received).isNotEmpty();
    ObjectMapper json = new ObjectMapper();
    for (byte[] payload : concat(aliceWire.sent, aliceWire.received)) {
      String text = new String(payload, StandardCharsets.ISO_8859_1);
      assertThat(text).doesNotContain("alice", "eve", "lobby");
      assertThat(isJson(json, payload)).as("payload parses as JSON").isFalse();
    }
  }

  @Test
  void rightRoomPasswordConnectsVerifiedPeers() throws Exception {
    TappedTransport aliceWire = new TappedTransport(room);
    Member alice = new Member("alice");
    alice.join(new RoomPasswordSealer(lobbyKey, alice.signing()), aliceWire);
    Member bob = new Member("bob");
    bob.join(new RoomPasswordSealer(lobbyKey, bob.signing()), null);

    assertThat(alice.connected().verified()).isTrue();
    assertThat(bob.connected().remoteFingerprint()).isEqualTo(alice.identity.fingerprint());
    ObjectMapper json = new ObjectMapper();
    for (byte[] payload : concat(aliceWire.sent, aliceWire.received)) {
      assertThat(isJson(json, payload)).isFalse();
      assertThat(new String(payload, StandardCharsets.ISO_8859_1)).doesNotContain("alice", "bob");
    }
  }

  private static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
    List<byte[]> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static boolean isJson(ObjectMapper json, byte[] payload) {
    try {
      json.readTree(payload);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** A broker user without a peer: hears the room's broadcasts and publishes raw payloads. */
  private final class RawMember {
    final List<byte[]> heard = new CopyOnWriteArrayList<>();
    private final SignalingTransport transport;
    private final String name;

    RawMember(String name) {
      this.name = name;
      this.transport = SignalingTransports.providerFor(room).create(room);
      closeables.add(transport);
    }

    void join() throws Exception {
      transport.join(new JoinSpec("lobby", name, null), new SignalingListener() {
        @Override
        public void onPayload(byte[] payload) {
          heard.add(payload);
        }

        @Override
        public void onStateChanged(TransportState state) {}
      }).get(WAIT, TimeUnit.SECONDS);
    }

    void send(byte[] payload) throws Exception {
      transport.send("bob", payload).get(WAIT, TimeUnit.SECONDS);
    }
  }

}
