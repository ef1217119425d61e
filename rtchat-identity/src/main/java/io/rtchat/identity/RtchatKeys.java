package io.rtchat.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;

/**
 * The RTChat browser client's key and challenge encodings (protocols/rtchat-mqtt.md, section 7),
 * for {@link KeyType#RSA_PSS} identities talking to the unmodified page.
 *
 * <ul>
 *   <li>{@code publicKeyString}: the JWK JSON text as Chrome exports it, one canonical string:
 *       {@code {"alg":"PS256","e":"AQAB","ext":true,"key_ops":["verify"],"kty":"RSA","n":"..."}}.
 *   <li>Challenge: exactly 32 code units U+0000–U+00FF, signed as their ISO-8859-1 bytes; the
 *       signature travels as 256 code units U+0000–U+00FF.
 * </ul>
 *
 * <p>RTChat's raw challenge is not bound to the connection (section 9, item 5). Answer it only
 * with a key used for nothing else, once per connection, and rely on {@link IdentityAuthenticator}
 * between Java peers.
 */
public final class RtchatKeys {

  static final int CHALLENGE_UNITS = 32;
  static final int SIGNATURE_UNITS = 256;

  private RtchatKeys() {}

  /** The canonical {@code publicKeyString} of an RSA public key. */
  public static String publicKeyString(PublicKey key) {
    if (!(key instanceof RSAPublicKey rsa)) {
      throw new KeyFormatException("RTChat keys are RSA keys, not " + key.getAlgorithm());
    }
    return "{\"alg\":\"PS256\",\"e\":\"" + unsigned(rsa.getPublicExponent())
        + "\",\"ext\":true,\"key_ops\":[\"verify\"],\"kty\":\"RSA\",\"n\":\""
        + unsigned(rsa.getModulus()) + "\"}";
  }

  /**
   * Reads a {@code publicKeyString} the way the browser imports it: {@code kty} RSA, {@code alg}
   * absent or PS256, {@code key_ops} absent or containing verify, {@code ext} absent or true,
   * {@code use} absent or sig.
   *
   * @throws KeyFormatException saying what is wrong
   */
  public static PublicKey parsePublicKeyString(String jwk) {
    JsonNode json;
    try {
      json = WireJson.parseObject(jwk, 4096);
      if (!"RSA".equals(WireJson.text(json, "kty"))) {
        throw new IllegalArgumentException("kty must be RSA");
      }
      if (json.has("alg") && !"PS256".equals(json.get("alg").asText())) {
        throw new IllegalArgumentException("alg must be PS256");
      }
      if (json.has("ext") && !json.get("ext").asBoolean(false)) {
        throw new IllegalArgumentException("ext must be true");
      }
      if (json.has("use") && !"sig".equals(json.get("use").asText())) {
        throw new IllegalArgumentException("use must be sig");
      }
      if (json.has("key_ops")) {
        boolean verify = false;
        for (Iterator<JsonNode> ops = json.get("key_ops").elements(); ops.hasNext(); ) {
          verify |= "verify".equals(ops.next().asText());
        }
        if (!verify) {
          throw new IllegalArgumentException("key_ops must contain verify");
        }
      }
      BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(WireJson.text(json, "n")));
      BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(WireJson.text(json, "e")));
      PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
      return PublicKeys.fromSpki(KeyType.RSA_PSS, key.getEncoded());
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new KeyFormatException("invalid RTChat publicKeyString: " + e.getMessage());
    }
  }

  /**
   * Signs an RTChat {@code identify}/{@code challenge} content.
   *
   * @throws IllegalArgumentException unless the challenge is exactly 32 units of U+0000–U+00FF
   */
  public static String signChallenge(Identity identity, String challenge) {
    if (identity.type() != KeyType.RSA_PSS) {
      throw new IllegalArgumentException("RTChat challenges need an rsa-pss identity");
    }
    byte[] bytes = latin1(challenge, CHALLENGE_UNITS, "challenge");
    return new String(identity.sign(bytes), StandardCharsets.ISO_8859_1);
  }

  /** Whether {@code signature} (256 units) signs {@code challenge} (32 units) with {@code key}. */
  public static boolean verifyChallenge(PublicKey key, String challenge, String signature) {
    try {
      return PublicKeys.verify(key, latin1(challenge, CHALLENGE_UNITS, "challenge"),
          latin1(signature, SIGNATURE_UNITS, "signature"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] latin1(String text, int units, String what) {
    if (text == null || text.length() != units) {
      throw new IllegalArgumentException(what + " must be exactly " + units + " characters");
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0xFF) {
        throw new IllegalArgumentException(what + " has a character above U+00FF");
      }
    }
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
