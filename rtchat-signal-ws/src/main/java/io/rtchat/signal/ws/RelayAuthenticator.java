package io.rtchat.signal.ws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Decides whether a join is allowed, from the {@code token} of the join frame (a shared secret, or
 * a JWT that the server checks with its own library).
 */
@FunctionalInterface
public interface RelayAuthenticator {

  /** Lets everyone in. */
  RelayAuthenticator OPEN = (room, name, token) -> true;

  /**
   * Whether {@code name} may join {@code room} with {@code token} (which is {@code null} when the
   * client sent none). Must not block for long: the hub calls it on a connection's thread.
   */
  boolean permits(String room, String name, String token);

  /**
   * Admits joins whose token equals {@code secret}. The comparison takes the same time whatever the
   * token: both sides are hashed first, so neither content nor length leaks through timing.
   */
  static RelayAuthenticator sharedSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("shared secret must not be empty");
    }
    byte[] expected = sha256(secret);
    return (room, name, token) -> token != null && MessageDigest.isEqual(expected, sha256(token));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
