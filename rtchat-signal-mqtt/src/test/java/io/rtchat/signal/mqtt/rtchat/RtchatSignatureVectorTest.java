package io.rtchat.signal.mqtt.rtchat;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.identity.Identity;
import io.rtchat.identity.KeyType;
import io.rtchat.identity.RtchatKeys;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The encodings the dialect signs and verifies with (protocols/rtchat-mqtt.md, section 7.1). */
class RtchatSignatureVectorTest {

  static final String KEY = "{\"alg\":\"PS256\",\"e\":\"AQAB\",\"ext\":true,\"key_ops\":[\"verify\"],"
      + "\"kty\":\"RSA\",\"n\":\"xG6-gK4vLqMBLxM6_q6MY5bMGCk3fG5daITmcC3GNKBLCPt7nKvPyCZZvoBO6lsTNRkEzunC6M0"
      + "JpoZZULewVQWl4oll06QiroGDL9UNXMhipJVrxEAcGcbqcRR_z8oCTU0PNbe2jAu014ApJeab9-Y4Icb8oAA3TiEGLKLV-aZ0Vt"
      + "XfGxNzHVyVK0OfnTmieUOgoFUHbIkU76hMsKajL2kU8AlLms6nwOyFXoUJ6RB_aa6Tmxs-zvRgyjpw4d_KwS_WpPPfXO6-wjFQ"
      + "agW808PPT57ZWwYyUL9k6Sr7c_XwR0OSvSsKN0kbpxKgVNaD8yJHI4itul-X4IHrlCRViw\"}";
  static final String SIGNATURE_HEX =
      "06915486ec5f41280d5d63a811e4d5c36b5af76d62620b9a6f006b88e5d7cd53f3a91b841556877befa36110822e755020aae5ad9428e7a2de4623dacbbd1c81"
      + "d51e1cf191a3e57258d69b39ef2ae723ee64eca391e3fe759b04673c1793d9ab54ecaee17b1a8aec09d7b393ea77fe6b43b6d2626714cb0225b87f44c5c2dab8"
      + "e5b94d851d6ff8a5928ac4b380e94c6fb7a19503518500ac91dfc3df23e45094762f5f643d411a616451fc599f23ad40b66182eba4cabdbd0eea02c9f2168f87"
      + "ebd96a20d37b674590bfdf7ecebea96c5c119aa7cdbf1255a84f1b631e3172fa3c711b65cc5f34caa4766b2b7175e210a2ae734eaf95df643e75706426c9e205";
  static final String CHALLENGE = new String(HexFormat.of().parseHex(
      "000102030405060708090a0b0c0d0e0ff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), StandardCharsets.ISO_8859_1);

  @Test
  void theSpecVectorVerifiesAndATamperedOneDoesNot() {
    PublicKey key = RtchatKeys.parsePublicKeyString(KEY);
    String signature = new String(HexFormat.of().parseHex(SIGNATURE_HEX), StandardCharsets.ISO_8859_1);
    assertThat(RtchatKeys.verifyChallenge(key, CHALLENGE, signature)).isTrue();
    assertThat(RtchatKeys.verifyChallenge(key, CHALLENGE.substring(1) + "x", signature)).isFalse();
    // The challenge read as UTF-8 JSON text and re-encoded as UTF-8 would break it: never do that.
    assertThat(RtchatKeys.verifyChallenge(key, CHALLENGE, signature.substring(1) + "\u0100")).isFalse();
  }

  @Test
  void ownSignaturesRoundTripAndTheKeyIsCanonical() {
    Identity identity = Identity.generate(KeyType.RSA_PSS);
    String signature = RtchatKeys.signChallenge(identity, CHALLENGE);
    assertThat(signature).hasSize(256).matches("[\\u0000-\\u00ff]+");
    String keyString = RtchatKeys.publicKeyString(identity.publicKey());
    assertThat(keyString).hasSize(419);
    assertThat(RtchatKeys.verifyChallenge(RtchatKeys.parsePublicKeyString(keyString), CHALLENGE,
        signature)).isTrue();
  }
}
