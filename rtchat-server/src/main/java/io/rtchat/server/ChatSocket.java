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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One /ws connection. Inbound frames are demanded one at a time (Jetty explicit demand) and the
 * next frame is demanded only while this client's own send queue has room, so a client cannot
 * flood the server with requests whose replies it does not read. Outbound frames go through a
 * bounded queue, one write in flight; a full queue closes the socket with 1008 (spec §1).
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
  private volatile Sub sub;
  private boolean writing;
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
      demand = !closed && queue.size() < Math.max(1, capacity / 2);
      demandPaused = !demand && !closed;
    }
    if (demand) {
      session.demand();
    }
  }

  // ------------------------------------------------------------------ outbound

  @Override
  public boolean offer(String json) {
    synchronized (this) {
      if (closed) {
        metrics.dropped();
        return true;
      }
      if (queue.size() >= capacity) {
        closed = true;
        queue.clear();
        executor.execute(() -> closeSlow());
        return false;
      }
      queue.addLast(json);
      if (!writing) {
        writeNext();
      }
      return true;
    }
  }

  /** Called with the monitor held. */
  private void writeNext() {
    String next = queue.pollFirst();
    if (next == null || closed) {
      writing = false;
      writeStartedNanos = 0;
      if (demandPaused && !closed) {
        demandPaused = false;
        executor.execute(() -> session.demand());
      }
      return;
    }
    writing = true;
    writeStartedNanos = System.nanoTime();
    session.sendText(next, Callback.from(this::written, this::failed));
  }

  private void written() {
    synchronized (this) {
      writeNext();
    }
  }

  private void failed(Throwable t) {
    synchronized (this) {
      closed = true;
      writing = false;
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
    return writing ? writeStartedNanos : 0;
  }
}
