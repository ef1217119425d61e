package io.rtchat.identity;

import io.rtchat.core.signal.EnvelopeSealer;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts signaling payloads of a password-protected room with AES-256-GCM under a {@link RoomKey},
 * so a broker (and anyone subscribed to the room's topic without the password) sees only
 * ciphertext: no names, SDPs, candidates or IP addresses.
 *
 * <p>Wraps another sealer, usually a {@link SignedEnvelopeSealer}: {@code seal} = encrypt(inner
 * seal), {@code open} = inner open(decrypt). Payload: {@code 0x01 || 12-byte random nonce ||
 * ciphertext || 16-byte tag}, with additional data {@code len || "rtchat-room-v1" || len || room}, so a
 * payload of another room or password does not decrypt. A random 96-bit nonce per payload is safe
 * far beyond the number of signaling messages a room sees.
 */
public final class RoomPasswordSealer implements EnvelopeSealer {

  static final byte VERSION = 1;
  static final int NONCE_BYTES = 12;
  static final int TAG_BITS = 128;

  private final RoomKey key;
  private final EnvelopeSealer inner;
  private final byte[] additionalData;
  private final SecureRandom random = new SecureRandom();

  /** Encrypts around {@code inner} (use {@link EnvelopeSealer#NONE} for encryption only). */
  public RoomPasswordSealer(RoomKey key, EnvelopeSealer inner) {
    this.key = Objects.requireNonNull(key, "key");
    this.inner = Objects.requireNonNull(inner, "inner");
    this.additionalData = new Transcript("rtchat-room-v1").add(key.room()).bytes();
  }

  @Override
  public byte[] seal(byte[] envelope) {
    byte[] plain = inner.seal(envelope);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(additionalData);
      byte[] sealed = cipher.doFinal(plain);
      return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
          .put(VERSION).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IdentityException("AES-GCM encryption failed", e);
    }
  }

  @Override
  public byte[] open(byte[] sealed) throws RejectedEnvelopeException {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8
        || sealed.length > SignedEnvelopeSealer.MAX_SEALED_BYTES + 64) {
      throw new RejectedEnvelopeException("payload of " + sealed.length
          + " bytes is no encrypted envelope of this room");
    }
    if (sealed[0] != VERSION) {
      throw new RejectedEnvelopeException("payload is not encrypted with a room password"
          + " (unknown format " + (sealed[0] & 0xFF) + ")");
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key.key(),
          new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
      cipher.updateAAD(additionalData);
      plain = cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new RejectedEnvelopeException(
          "cannot decrypt: wrong room password, other room, or tampered payload");
    } catch (GeneralSecurityException e) {
      throw new RejectedEnvelopeException("cannot decrypt: " + e.getMessage());
    }
    return inner.open(plain);
  }
}
