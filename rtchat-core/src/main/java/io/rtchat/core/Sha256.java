package io.rtchat.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Incremental SHA-256 with a hex result. */
final class Sha256 {

  private final MessageDigest digest;

  Sha256() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  void update(byte[] data, int length) {
    update(data, 0, length);
  }

  void update(byte[] data, int offset, int length) {
    digest.update(data, offset, length);
  }

  String hex() {
    return HexFormat.of().formatHex(digest.digest());
  }
}
