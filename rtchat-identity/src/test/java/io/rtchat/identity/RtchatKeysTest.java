package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The RTChat browser's encodings, checked against the vector of protocols/rtchat-mqtt.md 7.1. */
class RtchatKeysTest {

  private static final String VECTOR_KEY = "{\"alg\":\"PS256\",\"e\":\"AQAB\",\"ext\":true,"
      + "\"key_ops\":[\"verify\"],\"kty\":\"RSA\",\"n\":\"xG6-gK4vLqMBLxM6_q6MY5bMGCk3fG5daITmcC3GNKBL"
      + "CPt7nKvPyCZZvoBO6lsTNRkEzunC6M0JpoZZULewVQWl4oll06QiroGDL9UNXMhipJVrxEAcGcbqcRR_z8oCTU0PN"
      + "be2jAu014ApJeab9-Y4Icb8oAA3TiEGLKLV-aZ0VtXfGxNzHVyVK0OfnTmieUOgoFUHbIkU76hMsKajL2kU8AlLms6"
      + "nwOyFXoUJ6RB_aa6Tmxs-zvRgyjpw4d_KwS_WpPPfXO6-wjFQagW808PPT57ZWwYyUL9k6Sr7c_XwR0OSvSsKN0kbp"
      + "xKgVNaD8yJHI4itul-X4IHrlCRViw\"}";
  private static final String VECTOR_CHALLENGE_HEX =
      "000102030405060708090a0b0c0d0e0ff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
  private static final String VECTOR_SIGNATURE_HEX =
      "06915486ec5f41280d5d63a811e4d5c36b5af76d62620b9a6f006b88e5d7cd53f3a91b841556877befa36110822e755020aae5ad9428e7a2de4623dacbbd1c81"
      + "d51e1cf191a3e57258d69b39ef2ae723ee64eca391e3fe759b04673c1793d9ab54ecaee17b1a8aec09d7b393ea77fe6b43b6d2626714cb0225b87f44c5c2dab8"
      + "e5b94d851d6ff8a5928ac4b380e94c6fb7a19503518500ac91dfc3df23e45094762f5f643d411a616451fc599f23ad40b66182eba4cabdbd0eea02c9f2168f87"
      + "ebd96a20d37b674590bfdf7ecebea96c5c119aa7cdbf1255a84f1b631e3172fa3c711b65cc5f34caa4766b2b7175e210a2ae734eaf95df643e75706426c9e205";

  private static String latin1(String hex) {
    return new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
  }

  @Test
  void browserSignatureOfTheVectorVerifies() {
    PublicKey key = RtchatKeys.parsePublicKeyString(VECTOR_KEY);

    assertThat(RtchatKeys.verifyChallenge(key, latin1(VECTOR_CHALLENGE_HEX), latin1(VECTOR_SIGNATURE_HEX)))
        .isTrue();
    assertThat(RtchatKeys.publicKeyString(key)).isEqualTo(VECTOR_KEY).hasSize(419);
  }

  @Test
  void ourSignatureOfARawChallengeVerifiesAndTamperingFails() {
    Identity identity = Identity.generate(KeyType.RSA_PSS);
    PublicKey key = RtchatKeys.parsePublicKeyString(RtchatKeys.publicKeyString(identity.publicKey()));
    String challenge = latin1(VECTOR_CHALLENGE_HEX);

    String signature = RtchatKeys.signChallenge(identity, challenge);

    assertThat(signature).hasSize(256);
    assertThat(RtchatKeys.verifyChallenge(key, challenge, signature)).isTrue();
    assertThat(RtchatKeys.verifyChallenge(key, challenge.replace('\u00ff', '\u00fe'), signature)).isFalse();
  }

  @Test
  void challengesOutsideTheBrowserAlphabetAreNeverSigned() {
    Identity identity = Identity.generate(KeyType.RSA_PSS);

    assertThatThrownBy(() -> RtchatKeys.signChallenge(identity, "short"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RtchatKeys.signChallenge(identity, "\u0100".repeat(32)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RtchatKeys.signChallenge(Identity.generate(), "a".repeat(32)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedPublicKeyStringsAreRejected() {
    for (String bad : new String[] {"", "{}", "[]", VECTOR_KEY.replace("\"RSA\"", "\"EC\""),
        VECTOR_KEY.replace("PS256", "RS256"), VECTOR_KEY.replace("\"verify\"", "\"sign\""),
        VECTOR_KEY.replace("\"n\":\"xG6", "\"n\":\"!!")}) {
      assertThatThrownBy(() -> RtchatKeys.parsePublicKeyString(bad)).as(bad)
          .isInstanceOf(KeyFormatException.class);
    }
  }
}
