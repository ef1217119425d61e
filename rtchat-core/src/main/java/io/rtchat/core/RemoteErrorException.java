package io.rtchat.core;

/** The remote peer answered a question or transfer with an error. */
public class RemoteErrorException extends RuntimeException {
  public RemoteErrorException(String message) {
    super(message);
  }
}
