package io.rtchat.server.chat;

/**
 * Where a subscriber's messages go: a WebSocket or a polling session. Implementations keep a
 * bounded queue and never block the caller.
 */
public interface Outbound {

  /** Queues one JSON frame; false when the queue is full (the implementation then drops the client). */
  boolean offer(String json);

  /** Ends the connection with a WebSocket close code (polling sessions just end). */
  void close(int code, String reason);

  /** Sends a transport-level keep-alive (a WebSocket ping frame); a no-op where there is none. */
  default void keepAlive() {}

  /** Nanos (System.nanoTime) when the oldest unfinished write started, or 0 when idle. */
  default long writeStartedNanos() {
    return 0;
  }

  /** True for /poll sessions. */
  default boolean polling() {
    return false;
  }
}
