package io.rtchat.signal.ws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RelayHub} served on its own Java-WebSocket server, for library users who want a relay
 * without rtchat-server. Binds to 127.0.0.1 unless told otherwise; port 0 picks a free port.
 *
 * <pre>{@code
 * try (StandaloneRelay relay = StandaloneRelay.start(8080)) {
 *   URI signaling = relay.uri("demo");   // ws://127.0.0.1:8080/signal?room=demo
 *   ...
 * }
 * }</pre>
 */
public final class StandaloneRelay implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StandaloneRelay.class);
  private static final int START_TIMEOUT_SECONDS = 10;
  private static final int STOP_TIMEOUT_MILLIS = 2_000;
  /** Seconds without a pong before the server drops a connection. */
  private static final int KEEP_ALIVE_SECONDS = 30;

  private final RelayHub hub;
  private final Server server;

  private StandaloneRelay(RelayHub hub, Server server) {
    this.hub = hub;
    this.server = server;
  }

  /** Starts an open relay with default limits on 127.0.0.1. */
  public static StandaloneRelay start(int port) {
    return start("127.0.0.1", port, RelayLimits.defaults(), RelayAuthenticator.OPEN);
  }

  /**
   * Starts a relay.
   *
   * @param host address to bind, e.g. {@code 127.0.0.1}, or {@code 0.0.0.0} for every interface
   * @param port TCP port, or 0 for a free one (see {@link #port()})
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static StandaloneRelay start(
      String host, int port, RelayLimits limits, RelayAuthenticator authenticator) {
    return start(host, port, limits, authenticator, null);
  }

  /**
   * Starts a relay that serves {@code wss://} with the key and certificate of {@code tls}, or plain
   * {@code ws://} when {@code tls} is {@code null}.
   */
  public static StandaloneRelay start(String host, int port, RelayLimits limits,
      RelayAuthenticator authenticator, SSLContext tls) {
    Objects.requireNonNull(host, "host");
    RelayHub hub = new RelayHub(limits, authenticator);
    Server server = new Server(new InetSocketAddress(host, port), hub, limits.maxFrameBytes());
    if (tls != null) {
      server.setWebSocketFactory(new DefaultSSLWebSocketServerFactory(tls));
    }
    server.tls = tls != null;
    server.setReuseAddr(true);
    server.setTcpNoDelay(true);
    server.setDaemon(true);
    server.setConnectionLostTimeout(KEEP_ALIVE_SECONDS);
    server.start();
    try {
      if (!server.started.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        stopQuietly(server);
        throw new UncheckedIOException(new IOException(
            "relay did not start on " + host + ":" + port + " within " + START_TIMEOUT_SECONDS
                + " s"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopQuietly(server);
      throw new IllegalStateException("interrupted while starting the relay", e);
    }
    Exception failure = server.startFailure.get();
    if (failure != null) {
      stopQuietly(server);
      throw new UncheckedIOException(new IOException(
          "cannot start relay on " + host + ":" + port + ": " + failure.getMessage(), failure));
    }
    LOG.info("signaling relay listening on {}://{}:{}/signal", tls == null ? "ws" : "wss", host,
        server.getPort());
    return new StandaloneRelay(hub, server);
  }

  /** The port the relay listens on. */
  public int port() {
    return server.getPort();
  }

  /** {@code ws://HOST:PORT/signal?room=ROOM} (or {@code wss://}), the URI a peer signals through. */
  public URI uri(String room) {
    String host = server.getAddress().getHostString();
    return URI.create((server.tls ? "wss://" : "ws://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port()
        + "/signal?room=" + java.net.URLEncoder.encode(room, java.nio.charset.StandardCharsets.UTF_8));
  }

  public RelayHub hub() {
    return hub;
  }

  /** Closes every connection (1001) and releases the port. */
  @Override
  public void close() {
    hub.close();
    stopQuietly(server);
  }

  private static void stopQuietly(WebSocketServer server) {
    try {
      server.stop(STOP_TIMEOUT_MILLIS, "relay is shutting down");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Adapts one Java-WebSocket server connection to the hub. */
  private static final class Adapter implements RelayConnection {
    private final WebSocket socket;

    Adapter(WebSocket socket) {
      this.socket = socket;
    }

    @Override
    public void send(String frame) {
      if (socket.isOpen()) {
        socket.send(frame);
      }
    }

    @Override
    public long queuedBytes() {
      if (!(socket instanceof WebSocketImpl impl)) {
        return 0;
      }
      long bytes = 0;
      for (ByteBuffer buffer : impl.outQueue) {
        bytes += buffer.remaining();
      }
      return bytes;
    }

    @Override
    public void close(int code, String reason) {
      socket.close(code, reason);
    }
  }

  private static final class Server extends WebSocketServer {
    private final RelayHub hub;
    final CountDownLatch started = new CountDownLatch(1);
    final AtomicReference<Exception> startFailure = new AtomicReference<>();
    volatile boolean tls;

    Server(InetSocketAddress address, RelayHub hub, int maxFrameBytes) {
      super(address, 1, List.<Draft>of(new Draft_6455(List.of(), maxFrameBytes)));
      this.hub = hub;
    }

    @Override
    public void onStart() {
      started.countDown();
    }

    @Override
    public void onOpen(WebSocket socket, ClientHandshake handshake) {
      socket.setAttachment(hub.open(new Adapter(socket)));
    }

    @Override
    public void onMessage(WebSocket socket, String message) {
      RelayHub.Link link = socket.getAttachment();
      if (link != null) {
        link.onText(message);
      }
    }

    @Override
    public void onMessage(WebSocket socket, ByteBuffer message) {
      RelayHub.Link link = socket.getAttachment();
      if (link != null) {
        link.onBinary();
      }
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason, boolean remote) {
      RelayHub.Link link = socket.getAttachment();
      if (link != null) {
        link.onClosed();
      }
    }

    @Override
    public void onError(WebSocket socket, Exception error) {
      if (socket == null) {
        // The server itself failed, typically while binding.
        startFailure.compareAndSet(null, error);
        started.countDown();
      } else {
        LOG.debug("relay connection error", error);
      }
    }
  }
}
