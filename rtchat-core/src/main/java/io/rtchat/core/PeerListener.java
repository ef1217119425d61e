package io.rtchat.core;

import io.rtchat.core.signal.TransportState;

/**
 * What happens in a peer's room. Every method has an empty default; implement those you need.
 * Calls for one session arrive one at a time on that session's own thread, never on a native
 * thread; a method that throws is logged and does not harm the session.
 */
public interface PeerListener {

  /** A session is open (and authenticated, when an authenticator is set). */
  default void onConnected(PeerSession session) {}

  /** A session ended; {@code reason} says why (e.g. "left", "closed", "peer connection failed"). */
  default void onDisconnected(PeerSession session, String reason) {}

  /** A chat or JSON message arrived. */
  default void onMessage(PeerSession session, Message message) {}

  /** A question arrived; the answer comes from the handler registered for its topic. */
  default void onQuestion(PeerSession session, String topic, String content) {}

  /** A peer was refused by the connection policy or the authenticator; it never got a session. */
  default void onRejected(String peerName, String reason) {}

  /** Progress of a file arriving. */
  default void onFileProgress(PeerSession session, String name, long receivedBytes, long totalBytes) {}

  /** A file arrived whole with a matching SHA-256. */
  default void onFileReceived(PeerSession session, ReceivedFile file) {}

  /** The signaling backend changed state; sessions already open are not affected. */
  default void onSignalingState(TransportState state) {}
}
