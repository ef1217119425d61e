package io.rtchat.core;

/**
 * The bench's window onto the package-private session frame codec, so that the JMH measures run
 * the real code. Lives in rtchat-bench, not in rtchat-core; not an API.
 */
public final class BenchFrames {

  private BenchFrames() {}

  /** A question frame, encoded exactly as {@code PeerSession.ask} encodes it. */
  public static byte[] encodeAsk(long id, String topic, String content) {
    return Frames.encode(Frames.frame(Frames.ASK).put("id", id).put("topic", topic)
        .put("content", content));
  }

  /** Parses a text frame as the session does on receipt. */
  public static Object decode(byte[] frame) {
    return Frames.decode(frame);
  }
}
