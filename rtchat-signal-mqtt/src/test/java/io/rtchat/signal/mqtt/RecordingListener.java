package io.rtchat.signal.mqtt;

import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.TransportState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a transport delivers; payloads as UTF-8 text. */
final class RecordingListener implements SignalingListener {

  final List<String> payloads = new CopyOnWriteArrayList<>();
  final List<Integer> sizes = new CopyOnWriteArrayList<>();
  final List<TransportState> states = new CopyOnWriteArrayList<>();
  private volatile boolean throwing;

  /** Makes every callback throw after recording, like a buggy peer would. */
  RecordingListener throwing() {
    throwing = true;
    return this;
  }

  @Override
  public void onPayload(byte[] payload) {
    payloads.add(new String(payload, StandardCharsets.UTF_8));
    sizes.add(payload.length);
    if (throwing) {
      throw new IllegalStateException("listener bug (expected by the test)");
    }
  }

  @Override
  public void onStateChanged(TransportState state) {
    states.add(state);
    if (throwing) {
      throw new IllegalStateException("listener bug (expected by the test)");
    }
  }
}
