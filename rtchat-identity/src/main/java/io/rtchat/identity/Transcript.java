package io.rtchat.identity;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Unambiguous byte strings to sign: a domain label, then each field as a 4-byte big-endian length
 * followed by its bytes. No field can bleed into the next, so no two different field lists give
 * the same bytes.
 */
final class Transcript {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

  Transcript(String label) {
    add(label);
  }

  Transcript add(String field) {
    return add(field.getBytes(StandardCharsets.UTF_8));
  }

  Transcript add(byte[] field) {
    int length = field.length;
    out.write(length >>> 24);
    out.write(length >>> 16);
    out.write(length >>> 8);
    out.write(length);
    out.writeBytes(field);
    return this;
  }

  Transcript add(long value) {
    byte[] bytes = new byte[8];
    for (int i = 7; i >= 0; i--) {
      bytes[i] = (byte) value;
      value >>>= 8;
    }
    return add(bytes);
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /**
   * A DTLS fingerprint in one spelling: algorithm lower case, hex upper case, one space between,
   * e.g. {@code sha-256 AB:CD:...}. Null or malformed input gives null.
   */
  static String normalizeDtlsFingerprint(String fingerprint) {
    if (fingerprint == null) {
      return null;
    }
    String[] parts = fingerprint.trim().split("\\s+");
    if (parts.length != 2 || !parts[1].matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}")) {
      return null;
    }
    return parts[0].toLowerCase(Locale.ROOT) + " " + parts[1].toUpperCase(Locale.ROOT);
  }
}
