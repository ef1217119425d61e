package io.rtchat.server;

import io.rtchat.server.chat.ChatMetrics;
import io.rtchat.server.chat.ChatRoom;
import io.rtchat.server.chat.Outbound;
import io.rtchat.server.chat.Sub;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One /ws connection. Inbound frames are demanded one at a time (Jetty explicit demand) and the
 * next frame is demanded only while this client's own send queue has room, so a client cannot
 * flood the server with requests whose replies it does not read. Outbound frames go through a
 * bounded queue and are written one batch at a time, each batch in one socket write: a frame
 * offered while nothing is being written goes at once, and what is queued while a batch is being
 * written goes as the next batch. Queued plus unwritten frames are bounded by the capacity;
 * exceeding it closes the socket with 1008 (spec §1).
 */
public final class ChatSocket implements Session.Listener, Outbound {
  private static final Logger log = LoggerFactory.getLogger(ChatSocket.class);

  private final ChatRoom room;
  private final ChatMetrics metrics;
  private final Executor executor;
  private final ScheduledExecutorService scheduler;
  private final String ip;
  private final int capacity;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private volatile Session session;
  /** The session's core, for batched sends: the Jetty API sends every frame as its own write. */
  private volatile CoreSession coreSession;
  private volatile Sub sub;
  private final org.eclipse.jetty.util.Callback frameWritten =
      org.eclipse.jetty.util.Callback.from(this::frameWritten, this::failed);
  /** Frames handed to Jetty whose write has not completed; they count against the capacity too. */
  private int inFlight;
  private long writeStartedNanos;
  private boolean demandPaused;
  private boolean closed;

  ChatSocket(ChatRoom room, ChatMetrics metrics, Executor executor, ScheduledExecutorService scheduler, String ip,
      int capacity) {
    this.room = room;
    this.metrics = metrics;
    this.executor = executor;
    this.scheduler = scheduler;
    this.ip = ip;
    this.capacity = capacity;
  }

  // ------------------------------------------------------------------ inbound

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    this.coreSession = ((WebSocketSession) session).getCoreSession();
    this.sub = room.connect(this, ip);
    session.demand();
  }

  @Override
  public void onWebSocketText(String text) {
    Sub s = sub;
    if (s != null) {
      room.onText(s, text);
    }
    demandIfRoom();
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    callback.succeed();
    Sub s = sub;
    if (s != null) {
      room.onBinary(s);
    }
    demandIfRoom();
  }

  @Override
  public void onWebSocketPing(ByteBuffer payload) {
    session.demand();
  }

  @Override
  public void onWebSocketPong(ByteBuffer payload) {
    session.demand();
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason, Callback callback) {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
    Sub s = sub;
    if (s != null) {
      room.disconnected(s);
    }
    callback.succeed();
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    log.debug("websocket error from {}: {}", ip, cause.toString());
  }

  private void demandIfRoom() {
    boolean demand;
    synchronized (this) {
      demand = !closed && queue.size() + inFlight < Math.max(1, capacity / 2);
      demandPaused = !demand && !closed;
    }
    if (demand) {
      session.demand();
    }
  }

  // ------------------------------------------------------------------ outbound

  @Override
  public boolean offer(String json) {
    String[] batch = null;
    synchronized (this) {
      if (closed) {
        metrics.dropped();
        return true;
      }
      if (queue.size() + inFlight >= capacity) {
        closed = true;
        queue.clear();
        executor.execute(() -> closeSlow());
        return false;
      }
      queue.addLast(json);
      if (inFlight == 0) {
        batch = takeBatch();
      }
    }
    send(batch);
    return true;
  }

  private void frameWritten() {
    String[] batch = null;
    synchronized (this) {
      if (inFlight > 0 && --inFlight == 0) {
        batch = takeBatch();
      }
    }
    send(batch);
  }

  /** Everything queued, now in flight; null when there is nothing to write. Called with the monitor held. */
  private String[] takeBatch() {
    if (queue.isEmpty() || closed) {
      writeStartedNanos = 0;
      if (demandPaused && !closed) {
        demandPaused = false;
        executor.execute(() -> session.demand());
      }
      return null;
    }
    String[] batch = queue.toArray(String[]::new);
    queue.clear();
    inFlight = batch.length;
    writeStartedNanos = System.nanoTime();
    return batch;
  }

  /**
   * Hands a batch to Jetty, without this socket's monitor: a failing write closes the connection
   * from inside sendFrame, and the close takes the room's lock. All frames but the last wait in
   * Jetty's batch buffer; the last flushes them in one socket write.
   */
  private void send(String[] batch) {
    if (batch == null) {
      return;
    }
    for (int i = 0; i < batch.length; i++) {
      coreSession.sendFrame(new Frame(OpCode.TEXT, batch[i]), frameWritten, i < batch.length - 1);
    }
  }

  private void failed(Throwable t) {
    synchronized (this) {
      closed = true;
      inFlight = 0;
      writeStartedNanos = 0;
      queue.clear();
    }
    log.debug("write to {} failed: {}", ip, t.toString());
  }

  private void closeSlow() {
    Session s = session;
    s.close(StatusCode.POLICY_VIOLATION, "connection too slow to keep up with messages", Callback.NOOP);
    // A client that reads nothing will never read the close frame either.
    scheduler.schedule(() -> {
      if (s.isOpen()) {
        s.disconnect();
      }
    }, 2, TimeUnit.SECONDS);
  }

  @Override
  public void close(int code, String reason) {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
    Session s = session;
    if (s == null) {
      return;
    }
    executor.execute(() -> {
      s.close(code, reason, Callback.NOOP);
      scheduler.schedule(() -> {
        if (s.isOpen()) {
          s.disconnect();
        }
      }, 3, TimeUnit.SECONDS);
    });
  }

  @Override
  public void keepAlive() {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
    }
  }

  @Override
  public synchronized long writeStartedNanos() {
    return inFlight > 0 ? writeStartedNanos : 0;
  }
}
