package io.rtchat.signal.ws;

/**
 * What a {@link RelayHub} needs from one WebSocket connection. A server mounts the hub by
 * implementing this over its own WebSocket session and feeding the session's events to the {@link
 * RelayHub.Link} that {@link RelayHub#open} returns.
 */
public interface RelayConnection {

  /**
   * Queues a text frame for sending. Must not block and must not call back into the hub; the hub
   * calls it while it holds its lock, so that frames reach each connection in routing order.
   */
  void send(String frame);

  /**
   * Bytes accepted by {@link #send} and not yet written to the network. The hub closes a connection
   * whose backlog would exceed {@link RelayLimits#maxQueuedBytes()} instead of queueing more.
   */
  long queuedBytes();

  /**
   * Closes the connection with a WebSocket close code and reason. Called outside the hub's lock; it
   * may report the close back through {@link RelayHub.Link#onClosed()} at once.
   */
  void close(int code, String reason);
}
