package io.rtchat.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtchat.core.rtc.RtcConnection;
import io.rtchat.core.rtc.RtcEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw baseline: two {@link RtcConnection}s of one JVM, the engine's minimal wrapper around
 * webrtc-java (shared factory, headless audio, Throwable-catching callbacks, copied buffers), with
 * the full SDPs handed over in-process and no session protocol on top.
 */
final class RawPair implements AutoCloseable {

  static final String LABEL = "raw";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one side does with a received message; runs on that side's event thread. */
  interface Receiver {
    void onMessage(RawPair pair, boolean offererSide, byte[] data, boolean binary);
  }

  final RtcConnection offerer;
  final RtcConnection answerer;
  private final ExecutorService offererEvents = Executors.newSingleThreadExecutor(Daemon.named("raw-offerer"));
  private final ExecutorService answererEvents = Executors.newSingleThreadExecutor(Daemon.named("raw-answerer"));
  private final CompletableFuture<Void> offererOpen = new CompletableFuture<>();
  private final CompletableFuture<Void> answererOpen = new CompletableFuture<>();
  private final AtomicLong naiveBytes = new AtomicLong();
  private volatile Receiver receiver = (pair, side, data, binary) -> {};

  private RawPair() {
    offerer = RtcEngine.get().open(List.of(), new Side(true), offererEvents);
    answerer = RtcEngine.get().open(List.of(), new Side(false), answererEvents);
  }

  /** Opens a pair and waits for both ends of the data channel to be open. */
  static RawPair connect(long timeoutMillis) throws Exception {
    RawPair pair = new RawPair();
    try {
      pair.offerer.createChannel(LABEL);
      String offer = pair.offerer.createOffer().get(timeoutMillis, TimeUnit.MILLISECONDS);
      pair.naiveBytes.addAndGet(naiveDescription("offer", offer));
      String answer = pair.answerer.acceptOffer(offer).get(timeoutMillis, TimeUnit.MILLISECONDS);
      pair.naiveBytes.addAndGet(naiveDescription("answer", answer));
      pair.offerer.applyAnswer(answer).get(timeoutMillis, TimeUnit.MILLISECONDS);
      CompletableFuture.allOf(pair.offererOpen, pair.answererOpen)
          .get(timeoutMillis, TimeUnit.MILLISECONDS);
      return pair;
    } catch (Exception | Error e) {
      pair.close();
      throw e;
    }
  }

  void receiver(Receiver receiver) {
    this.receiver = receiver;
  }

  /**
   * Bytes a naive exchange would send: each full SDP as the browser's {@code
   * {"type":..,"sdp":..}} JSON, each trickled candidate as {@code {"candidate":..,"sdpMid":..,
   * "sdpMLineIndex":..}}.
   */
  long naiveSignalingBytes() {
    return naiveBytes.get();
  }

  private static long naiveDescription(String type, String sdp) throws Exception {
    Map<String, Object> description = new LinkedHashMap<>();
    description.put("type", type);
    description.put("sdp", sdp);
    return JSON.writeValueAsBytes(description).length;
  }

  private static long naiveCandidate(String candidate) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("candidate", candidate);
    json.put("sdpMid", "0");
    json.put("sdpMLineIndex", 0);
    try {
      return JSON.writeValueAsBytes(json).length;
    } catch (Exception e) {
      return 0;
    }
  }

  @Override
  public void close() {
    offerer.close();
    answerer.close();
    offererEvents.shutdown();
    answererEvents.shutdown();
  }

  private final class Side implements RtcConnection.Listener {
    private final boolean offererSide;

    Side(boolean offererSide) {
      this.offererSide = offererSide;
    }

    @Override
    public void onLocalCandidate(String candidate) {
      naiveBytes.addAndGet(naiveCandidate(candidate));
      RtcConnection other = offererSide ? answerer : offerer;
      try {
        other.addRemoteCandidate(candidate);
      } catch (RuntimeException e) {
        // the other end closed meanwhile
      }
    }

    @Override
    public void onChannelOpen(String label) {
      (offererSide ? offererOpen : answererOpen).complete(null);
    }

    @Override
    public void onChannelMessage(String label, byte[] data, boolean binary) {
      receiver.onMessage(RawPair.this, offererSide, data, binary);
    }

    @Override
    public void onChannelClosed(String label) {}

    @Override
    public void onConnectionLost(String reason) {}
  }
}
