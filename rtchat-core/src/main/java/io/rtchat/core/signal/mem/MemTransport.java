package io.rtchat.core.signal.mem;

import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.TransportState;
import java.util.concurrent.CompletableFuture;

/** One member of an in-process room. Delivery is synchronous; listeners only enqueue. */
final class MemTransport implements SignalingTransport {

  private final MemHub hub;
  private volatile JoinSpec spec;
  private volatile SignalingListener listener;
  private volatile TransportState state = TransportState.SUSPENDED;

  MemTransport(MemHub hub) {
    this.hub = hub;
  }

  String peerName() {
    return spec.peerName();
  }

  @Override
  public synchronized CompletableFuture<Void> join(JoinSpec spec, SignalingListener listener) {
    if (this.spec != null) {
      return CompletableFuture.failedFuture(new IllegalStateException("already joined"));
    }
    this.spec = spec;
    this.listener = listener;
    hub.join(spec.room(), this);
    state = TransportState.CONNECTED;
    listener.onStateChanged(TransportState.CONNECTED);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> send(String target, byte[] payload) {
    if (state == TransportState.LOST || spec == null) {
      return CompletableFuture.failedFuture(new SignalingException("mem transport is not joined"));
    }
    if (payload.length > EnvelopeCodec.MAX_BYTES) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "payload of " + payload.length + " bytes exceeds " + EnvelopeCodec.MAX_BYTES));
    }
    hub.deliver(spec.room(), this, target, payload.clone());
    return CompletableFuture.completedFuture(null);
  }

  void receive(byte[] payload) {
    SignalingListener current = listener;
    if (current != null && state != TransportState.LOST) {
      current.onPayload(payload);
    }
  }

  @Override
  public TransportState state() {
    return state;
  }

  @Override
  public synchronized void close() {
    if (state == TransportState.LOST) {
      return;
    }
    state = TransportState.LOST;
    if (spec != null) {
      hub.leave(spec.room(), this);
    }
  }
}
