package io.rtchat.core;

/** Progress of an outgoing transfer; called from the sending thread. */
@FunctionalInterface
public interface TransferListener {

  TransferListener NONE = (sent, total) -> {};

  /** {@code totalBytes} is -1 when unknown. */
  void onProgress(long sentBytes, long totalBytes);
}
