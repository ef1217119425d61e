package io.rtchat.signal.ws;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;

/** A bare Java-WebSocket client that speaks whatever a test makes it say. */
final class RawClient extends WebSocketClient {
  final BlockingQueue<RelayFrames.Parsed> frames = new LinkedBlockingQueue<>();
  final CountDownLatch closed = new CountDownLatch(1);
  volatile int closeCode;

  RawClient(URI uri) {
    // A large frame limit: these clients may receive what well-behaved ones would refuse.
    super(uri, new Draft_6455(List.of(), 8 * 1024 * 1024));
    setDaemon(true);
  }

  static RawClient connect(URI uri) throws InterruptedException {
    RawClient client = new RawClient(uri);
    if (!client.connectBlocking(10, TimeUnit.SECONDS)) {
      throw new AssertionError("raw client cannot connect to " + uri);
    }
    return client;
  }

  /** Connects and joins; returns after the relay confirmed the join. */
  static RawClient joined(URI uri, String room, String name, String goodbye)
      throws InterruptedException {
    RawClient client = connect(uri);
    client.send(RelayFrames.join(room, name, null, null,
        goodbye == null ? null : new RelayFrames.Payload(goodbye, false)));
    RelayFrames.Parsed reply = client.next();
    if (!"joined".equals(reply.op())) {
      throw new AssertionError("join refused: " + reply.fields());
    }
    return client;
  }

  RelayFrames.Parsed next() throws InterruptedException {
    RelayFrames.Parsed frame = frames.poll(10, TimeUnit.SECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within 10 s");
    }
    return frame;
  }

  /** Waits for the next frame whose op is {@code op}, skipping others. */
  RelayFrames.Parsed next(String op) throws InterruptedException {
    RelayFrames.Parsed frame;
    do {
      frame = next();
    } while (!op.equals(frame.op()));
    return frame;
  }

  boolean awaitClosed() throws InterruptedException {
    return closed.await(10, TimeUnit.SECONDS);
  }

  @Override
  public void onOpen(ServerHandshake handshake) {}

  @Override
  public void onMessage(String message) {
    frames.add(RelayFrames.parse(message));
  }

  @Override
  public void onMessage(ByteBuffer bytes) {}

  @Override
  public void onClose(int code, String reason, boolean remote) {
    closeCode = code;
    closed.countDown();
  }

  @Override
  public void onError(Exception ex) {}
}
