package io.rtchat.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Public keys as they travel: X.509 SubjectPublicKeyInfo (SPKI) DER, usually base64. Decoding is
 * strict and bounded; every failure is a {@link KeyFormatException}, never a crash.
 */
public final class PublicKeys {

  /** Largest SPKI accepted (an RSA-4096 SPKI is about 550 bytes). */
  public static final int MAX_SPKI_BYTES = 1024;

  static final int MAX_RSA_BITS = 4096;

  private PublicKeys() {}

  /** The key's SPKI DER. */
  public static byte[] spki(PublicKey key) {
    return key.getEncoded();
  }

  /** Standard base64 (padded) of the key's SPKI, as in known-peers lines. */
  public static String toBase64(PublicKey key) {
    return Base64.getEncoder().encodeToString(spki(key));
  }

  /**
   * Decodes a base64 SPKI of the given type.
   *
   * @throws KeyFormatException when it is not base64, not a key of that type, or too large
   */
  public static PublicKey fromBase64(KeyType type, String base64) {
    if (base64 == null || base64.length() > MAX_SPKI_BYTES * 2) {
      throw new KeyFormatException("public key missing or longer than " + MAX_SPKI_BYTES + " bytes");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("public key is not valid base64: " + e.getMessage());
    }
    return fromSpki(type, der);
  }

  /**
   * Decodes SPKI DER, requiring the given type.
   *
   * @throws KeyFormatException when it is not a key of that type or too large
   */
  public static PublicKey fromSpki(KeyType type, byte[] der) {
    PublicKey key = fromSpki(der);
    if (KeyType.of(key) != type) {
      throw new KeyFormatException("public key is " + KeyType.of(key).id() + ", not " + type.id());
    }
    return key;
  }

  /**
   * Decodes SPKI DER of any supported type.
   *
   * @throws KeyFormatException when it is no supported key or too large
   */
  public static PublicKey fromSpki(byte[] der) {
    if (der == null || der.length == 0 || der.length > MAX_SPKI_BYTES) {
      throw new KeyFormatException("public key missing or longer than " + MAX_SPKI_BYTES + " bytes");
    }
    for (String algorithm : new String[] {"Ed25519", "RSA", "RSASSA-PSS"}) {
      try {
        PublicKey key = KeyFactory.getInstance(algorithm)
            .generatePublic(new X509EncodedKeySpec(der));
        if (key instanceof RSAPublicKey rsa) {
          int bits = rsa.getModulus().bitLength();
          if (bits < KeyType.RSA_BITS || bits > MAX_RSA_BITS) {
            throw new KeyFormatException("RSA key of " + bits + " bits; need "
                + KeyType.RSA_BITS + " to " + MAX_RSA_BITS);
          }
        }
        KeyType.of(key);
        return key;
      } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
        // not this algorithm; try the next
      }
    }
    throw new KeyFormatException("not an Ed25519 or RSA SubjectPublicKeyInfo");
  }

  /**
   * The SSH-style fingerprint {@code SHA256:<unpadded base64 of SHA-256(SPKI DER)>}.
   */
  public static String fingerprint(PublicKey key) {
    return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha256(spki(key)));
  }

  /** Whether two keys are the same key (same SPKI). */
  public static boolean same(PublicKey a, PublicKey b) {
    return MessageDigest.isEqual(spki(a), spki(b));
  }

  /** Verifies a signature made with the scheme of the key's type; false for any failure. */
  public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
    if (signature == null || signature.length == 0 || signature.length > 1024) {
      return false;
    }
    try {
      Signature verifier = KeyType.of(key).signature();
      verifier.initVerify(key);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
