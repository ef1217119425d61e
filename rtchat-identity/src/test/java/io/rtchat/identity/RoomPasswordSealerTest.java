package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtchat.core.signal.Envelope;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.EnvelopeSealer;
import io.rtchat.core.signal.EnvelopeSealer.RejectedEnvelopeException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RoomPasswordSealerTest {

  // PBKDF2 with 600 000 iterations takes about half a second: derive once per class.
  private static RoomKey right;
  private static RoomKey wrong;
  private static RoomKey otherRoom;

  @BeforeAll
  static void deriveKeys() {
    right = RoomKey.derive("lobby", "correct horse".toCharArray());
    wrong = RoomKey.derive("lobby", "battery staple".toCharArray());
    otherRoom = RoomKey.derive("kitchen", "correct horse".toCharArray());
  }

  private final byte[] offer = EnvelopeCodec.encode(
      new Envelope(Envelope.Kind.OFFER, "lobby", "alice", "i1", "bob", "c1;ufrag;pwd;secret-sdp"));

  @Test
  void rightPasswordOpensWhatWasSealed() throws Exception {
    RoomPasswordSealer sealer = new RoomPasswordSealer(right, EnvelopeSealer.NONE);

    assertThat(sealer.open(sealer.seal(offer))).isEqualTo(offer);
  }

  @Test
  void brokerSeesNeitherJsonNorNamesNorSdp() {
    byte[] sealed = new RoomPasswordSealer(right, EnvelopeSealer.NONE).seal(offer);
    String asText = new String(sealed, StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> new ObjectMapper().readTree(sealed)).isInstanceOf(Exception.class);
    assertThat(asText).doesNotContain("alice", "bob", "secret-sdp", "lobby");
  }

  @Test
  void wrongPasswordOrOtherRoomCannotOpen() {
    byte[] sealed = new RoomPasswordSealer(right, EnvelopeSealer.NONE).seal(offer);

    assertThatThrownBy(() -> new RoomPasswordSealer(wrong, EnvelopeSealer.NONE).open(sealed))
        .isInstanceOf(RejectedEnvelopeException.class).hasMessageContaining("wrong room password");
    assertThatThrownBy(() -> new RoomPasswordSealer(otherRoom, EnvelopeSealer.NONE).open(sealed))
        .isInstanceOf(RejectedEnvelopeException.class);
  }

  @Test
  void plaintextAndTruncatedPayloadsAreDropped() {
    RoomPasswordSealer sealer = new RoomPasswordSealer(right, EnvelopeSealer.NONE);
    byte[] sealed = sealer.seal(offer);

    assertThatThrownBy(() -> sealer.open(offer)).isInstanceOf(RejectedEnvelopeException.class);
    assertThatThrownBy(() -> sealer.open(new byte[5])).isInstanceOf(RejectedEnvelopeException.class);
    byte[] flipped = sealed.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThatThrownBy(() -> sealer.open(flipped)).isInstanceOf(RejectedEnvelopeException.class);
  }

  @Test
  void encryptionWrapsSigning() throws Exception {
    Identity alice = Identity.generate();
    KnownPeers bobKnows = KnownPeers.builder().build();
    EnvelopeSealer aliceSide = new RoomPasswordSealer(right, SignedEnvelopeSealer.builder()
        .identity(alice).knownPeers(KnownPeers.builder().build()).build());
    EnvelopeSealer bobSide = new RoomPasswordSealer(right, SignedEnvelopeSealer.builder()
        .identity(Identity.generate()).knownPeers(bobKnows).build());

    byte[] sealed = aliceSide.seal(offer);

    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("\"s\"", "alice");
    assertThat(bobSide.open(sealed)).isEqualTo(offer);
    assertThat(bobKnows.entries()).extracting(KnownPeers.Entry::fingerprint)
        .containsExactly(alice.fingerprint());
    assertThatThrownBy(() -> bobSide.open(sealed)).hasMessageContaining("replayed");
  }
}
