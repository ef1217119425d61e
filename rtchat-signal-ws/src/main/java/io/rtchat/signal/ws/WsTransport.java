package io.rtchat.signal.ws;

import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.TransportState;
import io.rtchat.signal.ws.RelayFrames.MalformedFrameException;
import io.rtchat.signal.ws.RelayFrames.Parsed;
import io.rtchat.signal.ws.RelayFrames.Payload;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signaling through a relay over one WebSocket. Joins with a random session id so that after a
 * network hiccup the relay lets this transport take its name back; reconnects with exponential
 * back-off and reports {@code SUSPENDED} / {@code RECONNECTED}.
 *
 * <p>Payloads are delivered on the socket's read thread, in order; the listener only enqueues. That
 * thread reads the next frame only after the listener returns, so TCP is the bounded inbound queue.
 */
final class WsTransport implements SignalingTransport {

  private static final Logger LOG = LoggerFactory.getLogger(WsTransport.class);
  /** Inbound frames may carry a full outbound frame plus routing fields. */
  static final int MAX_INBOUND_FRAME_BYTES = 2 * RelayLimits.DEFAULT_MAX_FRAME_BYTES;
  static final int MAX_OUTBOUND_FRAME_BYTES = RelayLimits.DEFAULT_MAX_FRAME_BYTES;
  /** Bytes that may wait in the socket's write queue before {@link #send} fails. */
  static final long MAX_QUEUED_BYTES = 1024 * 1024;
  private static final int CLOSE_WAIT_MILLIS = 2_000;
  private static final int LEAVE_WAIT_MILLIS = 1_000;
  /** Refusals that retrying cannot fix. */
  private static final Set<String> PERMANENT =
      Set.of("unauthorized", "name-taken", "bad-join", "room-full", "too-many-rooms");

  private final WsOptions options;
  private final String session = newSessionId();
  private final CompletableFuture<Void> joined = new CompletableFuture<>();

  // Guarded by this.
  private JoinSpec spec;
  private SignalingListener listener;
  private ScheduledExecutorService scheduler;
  private volatile Connection current;
  private boolean everJoined;
  private boolean closed;
  private int attempt;
  private long suspendedSinceNanos;

  private volatile TransportState state = TransportState.SUSPENDED;

  /** TLS settings for {@code wss://}; {@code null} means the JVM's default trust store. */
  private final SSLContext tls;

  WsTransport(WsOptions options) {
    this(options, null);
  }

  WsTransport(WsOptions options, SSLContext tls) {
    this.options = options;
    this.tls = tls;
  }

  @Override
  public CompletableFuture<Void> join(JoinSpec spec, SignalingListener listener) {
    synchronized (this) {
      if (this.spec != null || closed) {
        return CompletableFuture.failedFuture(new IllegalStateException(
            closed ? "transport is closed" : "already joined"));
      }
      this.spec = spec;
      this.listener = listener;
      scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rtchat-ws-" + spec.peerName());
        thread.setDaemon(true);
        return thread;
      });
      scheduler.schedule(this::joinTimedOut, options.connectTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
      connect();
    }
    return joined.copy();
  }

  @Override
  public CompletableFuture<Void> send(String target, byte[] payload) {
    if (payload.length > EnvelopeCodec.MAX_BYTES) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "payload of " + payload.length + " bytes exceeds " + EnvelopeCodec.MAX_BYTES));
    }
    Connection connection;
    synchronized (this) {
      if (closed || state == TransportState.LOST) {
        return CompletableFuture.failedFuture(new SignalingException("ws transport is closed"));
      }
      connection = current;
    }
    if (connection == null || !connection.joined) {
      return CompletableFuture.failedFuture(new SignalingException(
          "not connected to the relay at " + options.endpoint() + " (state " + state + ")"));
    }
    String frame = RelayFrames.send(target, Payload.of(payload));
    if (RelayFrames.utf8Length(frame) > MAX_OUTBOUND_FRAME_BYTES) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("payload of "
          + payload.length + " bytes exceeds the relay frame limit of " + MAX_OUTBOUND_FRAME_BYTES
          + " bytes once encoded"));
    }
    long queued = connection.queuedBytes();
    if (queued + frame.length() > MAX_QUEUED_BYTES) {
      return CompletableFuture.failedFuture(new SignalingException("relay connection has "
          + queued + " bytes waiting to be written; not queueing more"));
    }
    try {
      connection.send(frame);
    } catch (WebsocketNotConnectedException e) {
      return CompletableFuture.failedFuture(
          new SignalingException("relay connection closed while sending", e));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public TransportState state() {
    return state;
  }

  @Override
  public void close() {
    Connection connection;
    ScheduledExecutorService timers;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      state = TransportState.LOST;
      connection = current;
      current = null;
      timers = scheduler;
    }
    joined.completeExceptionally(new SignalingException("ws transport closed before joining"));
    if (timers != null) {
      timers.shutdownNow();
    }
    if (connection != null) {
      connection.leave();
    }
  }

  // ---- connection lifecycle

  /** Starts one connection attempt. Holds this. */
  private void connect() {
    Connection connection = new Connection();
    current = connection;
    if (everJoined) {
      // The library bounds only the TCP connect; a handshake or join that never completes would
      // stall reconnecting for good. (The first attempt is bounded by joinTimedOut.)
      scheduler.schedule(() -> attemptTimedOut(connection), options.connectTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
    }
    try {
      connection.connect();
    } catch (RuntimeException e) {
      LOG.debug("cannot start connecting to {}", options.endpoint(), e);
      current = null;
      scheduleReconnectOrFail(connection, e.getMessage());
    }
  }

  private void joinTimedOut() {
    Connection connection;
    synchronized (this) {
      if (joined.isDone() || closed) {
        return;
      }
      closed = true;
      state = TransportState.LOST;
      connection = current;
      current = null;
      scheduler.shutdown();
    }
    joined.completeExceptionally(new SignalingException("no join confirmation from the relay at "
        + options.endpoint() + " within " + options.connectTimeout().toMillis()
        + " ms; is the relay running and the URI right?"));
    if (connection != null) {
      connection.abort("join timed out");
    }
  }

  private void attemptTimedOut(Connection connection) {
    synchronized (this) {
      if (connection != current || connection.joined || closed) {
        return;
      }
    }
    LOG.debug("no join confirmation from {} within {} ms; retrying", options.endpoint(),
        options.connectTimeout().toMillis());
    connection.abort("join timed out");
  }

  private void onJoined(Connection connection, List<String> peers) {
    TransportState newState;
    SignalingListener target;
    synchronized (this) {
      if (connection != current || closed) {
        return;
      }
      connection.joined = true;
      attempt = 0;
      newState = everJoined ? TransportState.RECONNECTED : TransportState.CONNECTED;
      everJoined = true;
      state = newState;
      target = listener;
    }
    LOG.debug("{} joined room {} at {} with peers {}", spec.peerName(), spec.room(),
        options.endpoint(), peers);
    notifyState(target, newState);
    joined.complete(null);
  }

  private void onConnectionClosed(Connection connection, int code, String reason) {
    TransportState newState = null;
    SignalingListener target;
    boolean failJoin;
    String why = connection.refusal != null ? connection.refusal
        : "relay closed the connection (" + code + (reason == null || reason.isEmpty() ? ""
            : ": " + reason) + ")";
    synchronized (this) {
      if (connection != current || closed) {
        return;
      }
      current = null;
      target = listener;
      failJoin = !everJoined;
      if (!everJoined) {
        closed = true;
        state = TransportState.LOST;
        scheduler.shutdown();
      } else if (connection.permanentRefusal) {
        LOG.warn("relay at {} refused {} for good: {}", options.endpoint(), spec.peerName(), why);
        closed = true;
        state = newState = TransportState.LOST;
        scheduler.shutdown();
      } else {
        if (state != TransportState.SUSPENDED) {
          LOG.info("lost relay connection to {}: {}; reconnecting", options.endpoint(), why);
          state = newState = TransportState.SUSPENDED;
          suspendedSinceNanos = System.nanoTime();
        }
        if (scheduleReconnectOrFail(connection, why)) {
          newState = TransportState.LOST;
        }
      }
    }
    if (failJoin) {
      joined.completeExceptionally(new SignalingException(
          "cannot join via the relay at " + options.endpoint() + ": " + why));
    }
    if (newState != null) {
      notifyState(target, newState);
    }
  }

  /**
   * Schedules the next attempt with back-off, or goes LOST when the give-up time has passed.
   * Holds this. Returns whether the transport is now LOST.
   */
  private boolean scheduleReconnectOrFail(Connection failed, String why) {
    if (!everJoined) {
      return false;
    }
    long suspended = System.nanoTime() - suspendedSinceNanos;
    if (!options.giveUpAfter().isZero() && suspended > options.giveUpAfter().toNanos()) {
      LOG.warn("giving up on the relay at {} after {} s: {}", options.endpoint(),
          options.giveUpAfter().toSeconds(), why);
      closed = true;
      state = TransportState.LOST;
      scheduler.shutdown();
      return true;
    }
    long base = options.initialBackoff().toMillis() << Math.min(attempt, 16);
    long delay = Math.min(options.maxBackoff().toMillis(), base);
    delay = (long) (delay * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    attempt++;
    LOG.debug("reconnecting to {} in {} ms (attempt {})", options.endpoint(), delay, attempt);
    scheduler.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
    return false;
  }

  private void reconnect() {
    synchronized (this) {
      if (!closed && current == null) {
        connect();
      }
    }
  }

  private void onFrame(Connection connection, String text) {
    Parsed frame;
    try {
      frame = RelayFrames.parse(text);
    } catch (MalformedFrameException e) {
      LOG.warn("ignoring a malformed frame from the relay at {}: {}", options.endpoint(),
          e.getMessage());
      return;
    }
    if ("left".equals(frame.op())) {
      connection.leftLatch.countDown(); // arrives while closing, after current was cleared
      return;
    }
    if (connection != current) {
      return;
    }
    String op = frame.op() == null ? "" : frame.op();
    switch (op) {
      case "msg" -> deliver(connection, frame);
      case "joined" -> onJoined(connection, frame.peers());
      case "peer-joined", "peer-left" -> LOG.debug("{} in room {}: {} {}", spec.peerName(),
          spec.room(), frame.get("name"), op);
      case "error" -> {
        String code = frame.get("code");
        String message = frame.get("message");
        if (!connection.joined && code != null) {
          connection.refusal = "relay refused the join (" + code + "): " + message;
          connection.permanentRefusal = PERMANENT.contains(code);
        }
        LOG.warn("relay at {} reports {}: {}", options.endpoint(), code, message);
      }
      default -> LOG.debug("ignoring relay frame with op '{}'", op);
    }
  }

  private void deliver(Connection connection, Parsed frame) {
    byte[] payload;
    try {
      Payload data = Payload.from(frame, "data");
      if (data == null) {
        LOG.warn("ignoring a msg frame without data from the relay at {}", options.endpoint());
        return;
      }
      payload = data.bytes();
    } catch (MalformedFrameException | IllegalArgumentException e) {
      LOG.warn("ignoring a msg frame from the relay at {}: {}", options.endpoint(),
          e.getMessage());
      return;
    }
    SignalingListener target = listener;
    if (connection == current && state != TransportState.LOST && target != null) {
      try {
        target.onPayload(payload);
      } catch (RuntimeException e) {
        LOG.warn("signaling listener failed on a payload", e);
      }
    }
  }

  private static void notifyState(SignalingListener target, TransportState newState) {
    if (target == null) {
      return;
    }
    try {
      target.onStateChanged(newState);
    } catch (RuntimeException e) {
      LOG.warn("signaling listener failed on state {}", newState, e);
    }
  }

  private static String newSessionId() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** One WebSocket connection attempt to the relay. */
  private final class Connection extends WebSocketClient {
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    final CountDownLatch leftLatch = new CountDownLatch(1);
    volatile boolean joined;
    volatile String refusal;
    volatile boolean permanentRefusal;

    Connection() {
      super(options.endpoint(), new Draft_6455(List.of(), MAX_INBOUND_FRAME_BYTES),
          options.token() == null ? Map.of() : Map.of("Authorization", "Bearer " + options.token()),
          (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
      setConnectionLostTimeout(options.keepAliveSeconds());
      if (tls != null && "wss".equals(options.endpoint().getScheme())) {
        setSocketFactory(tls.getSocketFactory());
      }
      setTcpNoDelay(true);
      setDaemon(true);
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
      JoinSpec join = spec;
      Payload goodbye = join.goodbye() == null ? null : Payload.of(join.goodbye());
      try {
        send(RelayFrames.join(join.room(), join.peerName(), options.token(), session, goodbye));
      } catch (WebsocketNotConnectedException e) {
        LOG.debug("relay connection closed before the join was sent", e);
      }
    }

    @Override
    public void onMessage(String message) {
      onFrame(this, message);
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
      LOG.debug("ignoring a binary frame from the relay");
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
      closedLatch.countDown();
      onConnectionClosed(this, code, reason);
    }

    @Override
    public void onError(Exception error) {
      LOG.debug("relay connection error at {}", options.endpoint(), error);
      if (refusal == null && !joined) {
        refusal = error.getClass().getSimpleName()
            + (error.getMessage() == null ? "" : ": " + error.getMessage());
      }
    }

    long queuedBytes() {
      WebSocket socket = getConnection();
      if (!(socket instanceof WebSocketImpl impl)) {
        return 0;
      }
      long bytes = 0;
      for (ByteBuffer buffer : impl.outQueue) {
        bytes += buffer.remaining();
      }
      return bytes;
    }

    /** Leaves cleanly (so the relay drops the goodbye) and waits briefly for the close. */
    void leave() {
      try {
        if (joined && isOpen()) {
          // Wait for the relay's "left" before closing: some servers handle the socket's end
          // before frames still queued for decoding, which would turn this leave into a vanish.
          send(RelayFrames.leave());
          if (!leftLatch.await(LEAVE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            LOG.debug("no leave confirmation from {}; closing anyway", options.endpoint());
          }
        }
        close(1000, "leave");
        if (!closedLatch.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          abort("leave (no close reply)");
        }
      } catch (WebsocketNotConnectedException e) {
        abort("leave");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort("leave");
      }
    }

    /** Ends the connection without a close handshake, unblocking its read thread. */
    void abort(String reason) {
      closeConnection(1000, reason);
      Socket socket = getSocket();
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          LOG.debug("closing the relay socket failed", e);
        }
      }
    }
  }
}
