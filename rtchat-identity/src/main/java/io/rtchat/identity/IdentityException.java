package io.rtchat.identity;

/** Something about keys, key files or trust is wrong; the message says what and how to fix it. */
public class IdentityException extends RuntimeException {

  public IdentityException(String message) {
    super(message);
  }

  public IdentityException(String message, Throwable cause) {
    super(message, cause);
  }
}
