package io.rtchat.identity;

/** A key, key file or signature that cannot be decoded. */
public final class KeyFormatException extends IdentityException {

  public KeyFormatException(String message) {
    super(message);
  }

  public KeyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
