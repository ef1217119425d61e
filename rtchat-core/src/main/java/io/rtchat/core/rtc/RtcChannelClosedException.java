package io.rtchat.core.rtc;

/** A send or negotiation step hit a closed channel, connection or engine. */
public class RtcChannelClosedException extends RtcException {
  public RtcChannelClosedException(String message) {
    super(message);
  }
}
