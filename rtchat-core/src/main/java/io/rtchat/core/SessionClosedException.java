package io.rtchat.core;

/** The session is closed: nothing was sent, or no answer will come. */
public class SessionClosedException extends IllegalStateException {
  public SessionClosedException(String message) {
    super(message);
  }
}
