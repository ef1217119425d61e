package io.rtchat.core.signal;

/** Connection state of a signaling transport, in the spirit of Apache Curator's states. */
public enum TransportState {
  /** Joined for the first time; payloads flow. */
  CONNECTED,
  /** Backend unreachable; the transport is retrying. Established sessions keep working. */
  SUSPENDED,
  /** Joined again after {@link #SUSPENDED}; peers re-announce to find who came meanwhile. */
  RECONNECTED,
  /** Given up or closed; no further payloads. */
  LOST
}
