package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.signal.Envelope;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.EnvelopeSealer.RejectedEnvelopeException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SignedEnvelopeSealerTest {

  private final Identity alice = Identity.generate();
  private final Identity mallory = Identity.generate();
  private final KnownPeers bobKnows = KnownPeers.builder().build();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
  private final SignedEnvelopeSealer aliceSeals = sealer(alice, KnownPeers.builder().build());
  private final SignedEnvelopeSealer bobOpens = sealer(Identity.generate(), bobKnows);

  private SignedEnvelopeSealer sealer(Identity identity, KnownPeers knownPeers) {
    return SignedEnvelopeSealer.builder().identity(identity).knownPeers(knownPeers).clock(clock)
        .window(Duration.ofSeconds(60)).replayCacheSize(100).build();
  }

  private static byte[] envelope(String from, Envelope.Kind kind, String body) {
    return EnvelopeCodec.encode(new Envelope(kind, "lobby", from, "i1", "bob", body));
  }

  @Test
  void signedEnvelopeOpensToTheSameBytesAndTrustsTheSignerOnFirstUse() throws Exception {
    byte[] offer = envelope("alice", Envelope.Kind.OFFER, "c1;sdp");

    byte[] opened = bobOpens.open(aliceSeals.seal(offer));

    assertThat(opened).isEqualTo(offer);
    assertThat(bobKnows.entries()).extracting(KnownPeers.Entry::fingerprint)
        .containsExactly(alice.fingerprint());
  }

  @Test
  void ed25519SignatureAddsAboutAQuarterKilobytePerEnvelope() {
    byte[] offer = envelope("alice", Envelope.Kind.CANDIDATE,
        "1 1 udp 2122260223 192.168.1.20 54321 typ host");

    int overhead = aliceSeals.seal(offer).length - offer.length;

    assertThat(overhead).isBetween(200, 300);
  }

  @Test
  void replayedEnvelopeIsDropped() throws Exception {
    byte[] sealed = aliceSeals.seal(envelope("alice", Envelope.Kind.BYE, "left"));
    bobOpens.open(sealed);

    assertThatThrownBy(() -> bobOpens.open(sealed))
        .isInstanceOf(RejectedEnvelopeException.class).hasMessageContaining("replayed");
  }

  @Test
  void envelopeOutsideTheTimestampWindowIsDropped() {
    byte[] sealed = aliceSeals.seal(envelope("alice", Envelope.Kind.OFFER, "c1;sdp"));
    clock.advance(Duration.ofSeconds(61));

    assertThatThrownBy(() -> bobOpens.open(sealed))
        .isInstanceOf(RejectedEnvelopeException.class).hasMessageContaining("outside the window");

    clock.advance(Duration.ofSeconds(-122));
    assertThatThrownBy(() -> bobOpens.open(sealed)).isInstanceOf(RejectedEnvelopeException.class);
  }

  @Test
  void forgedEnvelopeInSomeoneElsesNameIsDropped() throws Exception {
    bobOpens.open(aliceSeals.seal(envelope("alice", Envelope.Kind.ANNOUNCE, null)));
    SignedEnvelopeSealer mallorySeals = sealer(mallory, KnownPeers.builder().build());

    // Mallory signs a goodbye "from alice" with her own key: alice's key is known, so it fails.
    assertThatThrownBy(() -> bobOpens.open(mallorySeals.seal(envelope("alice", Envelope.Kind.BYE, "x"))))
        .isInstanceOf(RejectedEnvelopeException.class).hasMessageContaining("KEY MISMATCH");

    // Mallory edits a genuine envelope of alice's: the signature no longer verifies.
    String genuine = new String(aliceSeals.seal(envelope("alice", Envelope.Kind.OFFER, "c1;good")),
        StandardCharsets.UTF_8);
    byte[] tampered = genuine.replace("c1;good", "c1;evil").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> bobOpens.open(tampered))
        .isInstanceOf(RejectedEnvelopeException.class).hasMessageContaining("signature");

    // Mallory re-dates a genuine envelope to get past the replay cache.
    String fresh = new String(aliceSeals.seal(envelope("alice", Envelope.Kind.BYE, "bye")),
        StandardCharsets.UTF_8);
    byte[] redated = fresh.replaceFirst("\"ts\":(\\d+)", "\"ts\":$11").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> bobOpens.open(redated)).isInstanceOf(RejectedEnvelopeException.class);
  }

  @Test
  void unsignedAndMalformedPayloadsAreDroppedWithAReason() {
    byte[][] payloads = {
        envelope("alice", Envelope.Kind.OFFER, "c1;sdp"),
        "garbage".getBytes(StandardCharsets.UTF_8),
        new byte[0],
        "{\"e\":\"{}\",\"ts\":\"now\",\"kt\":\"ed25519\",\"k\":\"AAAA\",\"s\":\"AAAA\"}".getBytes(StandardCharsets.UTF_8),
        "{\"e\":1}".getBytes(StandardCharsets.UTF_8),
        new byte[SignedEnvelopeSealer.MAX_SEALED_BYTES + 1]};
    for (byte[] payload : payloads) {
      assertThatThrownBy(() -> bobOpens.open(payload)).isInstanceOf(RejectedEnvelopeException.class)
          .hasMessageMatching("(?s).{10,}");
    }
  }

  @Test
  void signedNonEnvelopeIsDropped() {
    byte[] sealed = aliceSeals.seal("{\"hello\":1}".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> bobOpens.open(sealed))
        .isInstanceOf(RejectedEnvelopeException.class).hasMessageContaining("no envelope");
  }

  @Test
  void replayCacheIsBoundedAndFailsClosed() throws Exception {
    for (int i = 0; i < 100; i++) {
      bobOpens.open(aliceSeals.seal(envelope("alice", Envelope.Kind.CANDIDATE, "c" + i)));
    }
    assertThatThrownBy(() -> bobOpens.open(aliceSeals.seal(envelope("alice", Envelope.Kind.CANDIDATE, "more"))))
        .isInstanceOf(RejectedEnvelopeException.class).hasMessageContaining("replay cache full");

    clock.advance(Duration.ofSeconds(61));
    byte[] later = envelope("alice", Envelope.Kind.CANDIDATE, "later");
    assertThat(bobOpens.open(aliceSeals.seal(later))).isEqualTo(later);
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
