package io.rtchat.server.auth;

/** A token that was not accepted; the message says why, fit to show to the user. */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidTokenException(String message) {
    super(message);
  }
}
