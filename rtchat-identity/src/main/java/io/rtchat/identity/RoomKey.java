package io.rtchat.identity;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 key of a password-protected room: PBKDF2-HMAC-SHA256 over the password with {@value
 * #ITERATIONS} iterations and salt {@code SHA-256(len || "rtchat-room-salt-v1" || len || UTF-8 room)} (4-byte big-endian
 * lengths).
 * Deriving takes about half a second on purpose (it slows password guessing by whoever records the
 * broker's traffic): derive once per peer and reuse.
 */
public final class RoomKey {

  public static final int ITERATIONS = 600_000;

  private final String room;
  private final SecretKey key;

  private RoomKey(String room, SecretKey key) {
    this.room = room;
    this.key = key;
  }

  /** Derives the key of {@code room} from {@code password}; the password array is left as is. */
  public static RoomKey derive(String room, char[] password) {
    Objects.requireNonNull(room, "room");
    if (password == null || password.length == 0) {
      throw new IllegalArgumentException("room password is empty");
    }
    byte[] salt = PublicKeys.sha256(new Transcript("rtchat-room-salt-v1").add(room).bytes());
    PBEKeySpec spec = new PBEKeySpec(password, salt, ITERATIONS, 256);
    try {
      byte[] raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      SecretKey key = new SecretKeySpec(raw, "AES");
      Arrays.fill(raw, (byte) 0);
      return new RoomKey(room, key);
    } catch (GeneralSecurityException e) {
      throw new IdentityException("the JDK cannot derive PBKDF2-HMAC-SHA256 keys", e);
    } finally {
      spec.clearPassword();
    }
  }

  public String room() {
    return room;
  }

  SecretKey key() {
    return key;
  }

  @Override
  public String toString() {
    return "RoomKey[" + room + "]";
  }
}
