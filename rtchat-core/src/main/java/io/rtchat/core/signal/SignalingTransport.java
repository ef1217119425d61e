package io.rtchat.core.signal;

import java.util.concurrent.CompletableFuture;

/**
 * A way for peers of one room to exchange small signaling payloads before they talk directly.
 *
 * <p>Implementations move opaque bytes: encoding, signing and encryption happen above this layer,
 * so a relay or broker never needs to understand them. One transport instance serves one {@link
 * #join join} and is closed with its peer.
 */
public interface SignalingTransport extends AutoCloseable {

  /**
   * Connects, subscribes to the room and starts delivering payloads to {@code listener}. Completes
   * once {@link #send} can reach the room; fails with a {@link SignalingException} saying why when
   * the backend cannot be reached.
   */
  CompletableFuture<Void> join(JoinSpec spec, SignalingListener listener);

  /**
   * Sends a payload to every peer of the room ({@code target == null}) or to the peer of that name.
   * Transports that cannot address one peer may deliver it to the whole room: receivers filter by
   * the envelope's target. Completes when the backend accepted the payload.
   */
  CompletableFuture<Void> send(String target, byte[] payload);

  /** Current connection state; {@link TransportState#LOST} once closed. */
  TransportState state();

  /** Leaves the room (a clean goodbye where the backend supports it) and releases resources. */
  @Override
  void close();
}
