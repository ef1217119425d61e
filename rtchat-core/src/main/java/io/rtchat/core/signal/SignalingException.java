package io.rtchat.core.signal;

/** The signaling backend cannot be used: unreachable, refused, or misconfigured. */
public class SignalingException extends RuntimeException {
  public SignalingException(String message) {
    super(message);
  }

  public SignalingException(String message, Throwable cause) {
    super(message, cause);
  }
}
