package io.rtchat.signal.ws;

import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.TransportState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Keeps what a transport delivers, for assertions. */
final class RecordingListener implements SignalingListener {
  final BlockingQueue<byte[]> payloads = new LinkedBlockingQueue<>();
  final List<TransportState> states = new CopyOnWriteArrayList<>();

  @Override
  public void onPayload(byte[] payload) {
    payloads.add(payload);
  }

  @Override
  public void onStateChanged(TransportState state) {
    states.add(state);
  }

  /** The next payload as text, waiting up to 10 s. */
  String next() throws InterruptedException {
    byte[] payload = payloads.poll(10, TimeUnit.SECONDS);
    if (payload == null) {
      throw new AssertionError("no payload within 10 s");
    }
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** Drops payloads until one equals {@code text}. */
  void awaitPayload(String text) throws InterruptedException {
    while (!next().equals(text)) {
      // skip earlier payloads
    }
  }
}
