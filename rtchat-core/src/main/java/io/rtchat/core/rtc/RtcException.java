package io.rtchat.core.rtc;

/** The WebRTC engine failed or refused an operation. */
public class RtcException extends RuntimeException {
  public RtcException(String message) {
    super(message);
  }
}
