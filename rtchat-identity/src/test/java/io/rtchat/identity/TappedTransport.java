package io.rtchat.identity;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real transport (e.g. mem://) whose raw payloads, both ways, a test can inspect. */
final class TappedTransport implements SignalingTransport {

  final List<byte[]> sent = new CopyOnWriteArrayList<>();
  final List<byte[]> received = new CopyOnWriteArrayList<>();
  private final SignalingTransport inner;

  TappedTransport(URI uri) {
    this.inner = SignalingTransports.providerFor(uri).create(uri);
  }

  @Override
  public CompletableFuture<Void> join(JoinSpec spec, SignalingListener listener) {
    return inner.join(spec, new SignalingListener() {
      @Override
      public void onPayload(byte[] payload) {
        received.add(payload.clone());
        listener.onPayload(payload);
      }

      @Override
      public void onStateChanged(TransportState state) {
        listener.onStateChanged(state);
      }
    });
  }

  @Override
  public CompletableFuture<Void> send(String target, byte[] payload) {
    sent.add(payload.clone());
    return inner.send(target, payload);
  }

  @Override
  public TransportState state() {
    return inner.state();
  }

  @Override
  public void close() {
    inner.close();
  }
}
