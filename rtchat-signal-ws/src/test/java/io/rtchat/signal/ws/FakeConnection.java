package io.rtchat.signal.ws;

import java.util.ArrayList;
import java.util.List;

/** A connection that records what the hub sends and reports its close back like a server would. */
final class FakeConnection implements RelayConnection {
  private final List<String> frames = new ArrayList<>();
  RelayHub.Link link;
  long queuedBytes;
  Integer closeCode;
  String closeReason;

  static FakeConnection open(RelayHub hub) {
    FakeConnection connection = new FakeConnection();
    connection.link = hub.open(connection);
    return connection;
  }

  @Override
  public synchronized void send(String frame) {
    frames.add(frame);
  }

  @Override
  public long queuedBytes() {
    return queuedBytes;
  }

  @Override
  public void close(int code, String reason) {
    synchronized (this) {
      if (closeCode != null) {
        return;
      }
      closeCode = code;
      closeReason = reason;
    }
    link.onClosed();
  }

  void text(String frame) {
    link.onText(frame);
  }

  /** Frames received so far, parsed; clears them. */
  synchronized List<RelayFrames.Parsed> take() {
    List<RelayFrames.Parsed> out = new ArrayList<>();
    for (String frame : frames) {
      out.add(RelayFrames.parse(frame));
    }
    frames.clear();
    return out;
  }

  synchronized List<String> raw() {
    return List.copyOf(frames);
  }

  boolean closed() {
    return closeCode != null;
  }
}
