package io.rtchat.core.signal;

/**
 * Receives what a transport delivers. Implementations return quickly and never throw; the peer
 * behind it copies the payload and processes it on its own executor.
 */
public interface SignalingListener {

  /** A payload published to the room or addressed to this peer. */
  void onPayload(byte[] payload);

  /** The connection to the backend changed state. */
  void onStateChanged(TransportState state);
}
