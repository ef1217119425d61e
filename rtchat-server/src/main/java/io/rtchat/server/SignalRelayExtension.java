package io.rtchat.server;

import io.rtchat.server.backplane.BackplaneChannel;
import io.rtchat.server.backplane.BackplaneService;
import io.rtchat.server.backplane.BackplaneServices;
import io.rtchat.signal.ws.RelayConnection;
import io.rtchat.signal.ws.RelayFederation;
import io.rtchat.signal.ws.RelayHub;
import io.rtchat.signal.ws.RelayLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Mounts rtchat-signal-ws's {@link RelayHub} at {@code /signal} on the server's Jetty, so that
 * {@code rtchat peer --signal ws://HOST:PORT/signal} works against {@code rtchat server} and
 * {@code java -jar rtchat-server.jar} alike. With a backplane, the hub shares its rooms with the
 * other instances' hubs (service {@code relay}): peers on different instances meet as if on one.
 */
public final class SignalRelayExtension implements ServerExtension {

  public static final String PATH = "/signal";

  private final RelayHub hub;

  /** For {@link java.util.ServiceLoader}: a relay with default limits. */
  public SignalRelayExtension() {
    this(new RelayHub(RelayLimits.defaults()));
  }

  public SignalRelayExtension(RelayHub hub) {
    this.hub = hub;
  }

  @Override
  public String name() {
    return "ws signaling relay at " + PATH;
  }

  @Override
  public void mount(Mounts mounts) {
    mounts.backplane().ifPresent(this::federate);
    mounts.webSocket(PATH, (request, response, callback) -> new RelaySocket(hub));
  }

  /** Federates the hub first, so that the other instances' states, replayed at registration, find it ready. */
  private void federate(BackplaneServices backplane) {
    AtomicReference<BackplaneChannel> channel = new AtomicReference<>();
    hub.federate(new RelayFederation() {
      @Override
      public void membersChanged() {
        BackplaneChannel c = channel.get();
        if (c != null) { // else registration publishes the state anyway
          c.stateChanged();
        }
      }

      @Override
      public void broadcast(String event) {
        BackplaneChannel c = channel.get();
        if (c != null) { // nobody can have joined before the server starts
          c.broadcast(event);
        }
      }
    });
    channel.set(backplane.register("relay", new BackplaneService() {
      @Override
      public String localState() {
        return hub.membersSnapshot();
      }

      @Override
      public void onRemoteState(String instance, String state) {
        hub.onRemoteMembers(instance, state);
      }

      @Override
      public void onRemoteEvent(String instance, String event) {
        hub.onRemoteEvent(instance, event);
      }
    }));
  }

  /** Peers reconnect (to another instance, behind a load balancer) at once; no goodbyes are sent. */
  @Override
  public void goingAway() {
    hub.close();
  }

  @Override
  public void close() {
    hub.close();
  }

  /**
   * One WebSocket connection: frames in go to the hub's link, frames out are queued (never
   * blocking the hub) and written one at a time. Public: Jetty calls the listener through method
   * handles.
   */
  public static final class RelaySocket implements Session.Listener, RelayConnection {
    private final RelayHub hub;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private volatile Session session;
    private volatile RelayHub.Link link;
    private long queuedBytes;
    private boolean writing;
    private boolean closed;

    RelaySocket(RelayHub hub) {
      this.hub = hub;
    }

    @Override
    public void onWebSocketOpen(Session session) {
      this.session = session;
      // Jetty's default (64 KiB) is below the frames the relay and its clients allow.
      session.setMaxTextMessageSize(hub.limits().maxFrameBytes());
      this.link = hub.open(this);
      session.demand();
    }

    @Override
    public void onWebSocketText(String text) {
      RelayHub.Link l = link;
      if (l != null) {
        l.onText(text);
      }
      demand();
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
      callback.succeed();
      RelayHub.Link l = link;
      if (l != null) {
        l.onBinary();
      }
      demand();
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
      demand();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
      demand();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
      synchronized (this) {
        closed = true;
        queue.clear();
        queuedBytes = 0;
      }
      RelayHub.Link l = link;
      if (l != null) {
        l.onClosed();
      }
      callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      // onWebSocketClose follows
    }

    private void demand() {
      Session s = session;
      if (s != null && s.isOpen()) {
        s.demand();
      }
    }

    @Override
    public void send(String frame) {
      synchronized (this) {
        if (closed) {
          return;
        }
        queue.add(frame);
        queuedBytes += frame.getBytes(StandardCharsets.UTF_8).length;
        if (writing) {
          return;
        }
        writing = true;
      }
      writeNext();
    }

    private void writeNext() {
      String next;
      synchronized (this) {
        next = queue.poll();
        if (next == null || closed) {
          writing = false;
          return;
        }
      }
      String frame = next;
      session.sendText(frame, Callback.from(() -> {
        synchronized (this) {
          queuedBytes = Math.max(0, queuedBytes - frame.getBytes(StandardCharsets.UTF_8).length);
        }
        writeNext();
      }, error -> {
        synchronized (this) {
          writing = false;
          queue.clear();
          queuedBytes = 0;
        }
      }));
    }

    @Override
    public synchronized long queuedBytes() {
      return queuedBytes;
    }

    @Override
    public void close(int code, String reason) {
      Session s = session;
      if (s != null) {
        s.close(code, reason, Callback.NOOP);
      }
    }
  }
}
