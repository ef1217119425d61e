package io.rtchat.core;

/** A message exceeds what one data channel message may carry; send large data as a file. */
public class MessageTooLargeException extends IllegalArgumentException {
  public MessageTooLargeException(String message) {
    super(message);
  }
}
