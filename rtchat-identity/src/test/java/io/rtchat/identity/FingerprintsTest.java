package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FingerprintsTest {

  private final Identity alice = Identity.generate(KeyType.ED25519);
  private final Identity bob = Identity.generate(KeyType.ED25519);

  @Test
  void fingerprintIsSha256OfTheSpkiInUnpaddedBase64() {
    String fingerprint = Fingerprints.of(alice.publicKey());

    assertThat(fingerprint).matches("SHA256:[A-Za-z0-9+/]{43}");
    assertThat(fingerprint).isEqualTo("SHA256:" + java.util.Base64.getEncoder().withoutPadding()
        .encodeToString(PublicKeys.sha256(alice.publicKey().getEncoded())));
  }

  @Test
  void safetyNumberIsTheSameOnBothSidesAndSixtyDigitsInGroupsOfFive() {
    String aliceSees = Fingerprints.safetyNumber("alice", alice.publicKey(), "bob", bob.publicKey());
    String bobSees = Fingerprints.safetyNumber("bob", bob.publicKey(), "alice", alice.publicKey());

    assertThat(aliceSees).isEqualTo(bobSees).matches("\\d{5}( \\d{5}){11}");
  }

  @Test
  void safetyNumberChangesWithEitherKeyOrName() {
    String base = Fingerprints.safetyNumber("alice", alice.publicKey(), "bob", bob.publicKey());
    Identity mallory = Identity.generate(KeyType.RSA_PSS);

    assertThat(Fingerprints.safetyNumber("alice", alice.publicKey(), "bob", mallory.publicKey()))
        .isNotEqualTo(base);
    assertThat(Fingerprints.safetyNumber("alice", alice.publicKey(), "bobby", bob.publicKey()))
        .isNotEqualTo(base);
  }
}
