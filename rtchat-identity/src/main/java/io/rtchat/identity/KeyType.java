package io.rtchat.identity;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Locale;

/**
 * Signature schemes an identity can use. Both come with the JDK.
 *
 * <ul>
 *   <li>{@code ed25519}: the default; small keys (44-byte SPKI) and signatures (64 bytes).
 *   <li>{@code rsa-pss}: RSA 2048, e = 65537, RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32,
 *       trailer 1 — the parameters of the RTChat browser client. Keys are plain RSA keys
 *       ({@code rsaEncryption} in SPKI and PKCS#8), so OpenSSL and browsers read them.
 * </ul>
 */
public enum KeyType {
  ED25519("ed25519", "Ed25519"),
  RSA_PSS("rsa-pss", "RSA");

  /** RSA modulus size for {@link #RSA_PSS}. */
  static final int RSA_BITS = 2048;

  private final String id;
  private final String jcaAlgorithm;

  KeyType(String id, String jcaAlgorithm) {
    this.id = id;
    this.jcaAlgorithm = jcaAlgorithm;
  }

  /** Name in key files, known-peers lines and wire messages. */
  public String id() {
    return id;
  }

  String jcaAlgorithm() {
    return jcaAlgorithm;
  }

  /**
   * The type with that id.
   *
   * @throws KeyFormatException naming the supported types
   */
  public static KeyType fromId(String id) {
    if (id != null) {
      String lower = id.toLowerCase(Locale.ROOT);
      for (KeyType type : values()) {
        if (type.id.equals(lower)) {
          return type;
        }
      }
    }
    throw new KeyFormatException("unknown key type '" + id + "'; supported: ed25519, rsa-pss");
  }

  /** The type of a public key. */
  public static KeyType of(PublicKey key) {
    if (key instanceof EdECKey edKey && "Ed25519".equalsIgnoreCase(edKey.getParams().getName())) {
      return ED25519;
    }
    if (key instanceof RSAKey rsaKey && rsaKey.getModulus().bitLength() >= RSA_BITS) {
      return RSA_PSS;
    }
    throw new KeyFormatException("unsupported public key " + key.getAlgorithm()
        + "; supported: Ed25519, RSA of at least " + RSA_BITS + " bits");
  }

  KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaAlgorithm);
      if (this == RSA_PSS) {
        generator.initialize(new RSAKeyGenParameterSpec(RSA_BITS, RSAKeyGenParameterSpec.F4));
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IdentityException("the JDK cannot generate " + id + " keys", e);
    }
  }

  /** A fresh, uninitialised signature engine for this scheme. */
  Signature signature() {
    try {
      if (this == RSA_PSS) {
        Signature signature = Signature.getInstance("RSASSA-PSS");
        signature.setParameter(
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        return signature;
      }
      return Signature.getInstance("Ed25519");
    } catch (GeneralSecurityException e) {
      throw new IdentityException("the JDK cannot sign with " + id, e);
    }
  }
}
