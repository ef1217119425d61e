package io.rtchat.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Objects;

/**
 * What humans compare: the SSH-style key fingerprint and a numeric safety number for a pair of
 * peers.
 *
 * <p>Safety number: for each peer, {@code h = SHA-512(0x0000 || SPKI || UTF-8 name)}, then {@value
 * #ITERATIONS} times {@code h = SHA-512(h || SPKI)}; the first 30 bytes of {@code h} read as six
 * 5-byte big-endian numbers, each mod 100000, give 30 digits. The two 30-digit strings are sorted
 * and concatenated: 60 digits, printed as 12 groups of 5, the same on both sides.
 */
public final class Fingerprints {

  static final int ITERATIONS = 5200;

  private Fingerprints() {}

  /** {@code SHA256:<unpadded base64 of SHA-256 over the SPKI DER>}. */
  public static String of(PublicKey key) {
    return PublicKeys.fingerprint(key);
  }

  /** The safety number of two peers, 60 digits in groups of 5; order-independent. */
  public static String safetyNumber(String nameA, PublicKey keyA, String nameB, PublicKey keyB) {
    String a = half(nameA, keyA);
    String b = half(nameB, keyB);
    String digits = a.compareTo(b) <= 0 ? a + b : b + a;
    StringBuilder grouped = new StringBuilder(72);
    for (int i = 0; i < digits.length(); i += 5) {
      if (i > 0) {
        grouped.append(' ');
      }
      grouped.append(digits, i, i + 5);
    }
    return grouped.toString();
  }

  private static String half(String name, PublicKey key) {
    Objects.requireNonNull(name, "name");
    byte[] spki = PublicKeys.spki(key);
    MessageDigest sha512;
    try {
      sha512 = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is required of every JDK", e);
    }
    sha512.update(new byte[] {0, 0});
    sha512.update(spki);
    sha512.update(PublicKeys.utf8(name));
    byte[] hash = sha512.digest();
    for (int i = 0; i < ITERATIONS; i++) {
      sha512.update(hash);
      sha512.update(spki);
      hash = sha512.digest();
    }
    StringBuilder digits = new StringBuilder(30);
    for (int chunk = 0; chunk < 6; chunk++) {
      long value = 0;
      for (int i = 0; i < 5; i++) {
        value = (value << 8) | (hash[chunk * 5 + i] & 0xFF);
      }
      digits.append(String.format("%05d", value % 100_000));
    }
    return digits.toString();
  }
}
