package io.rtchat.bench;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The fan-out baseline: the least a Jetty 12 WebSocket chat server must do. A frame containing
 * {@code "login"} gets {@code {"action":"me"}} back; a frame containing {@code "message"} goes to
 * every connected socket as it came; nothing else happens (no parsing, no queues of its own, no
 * rate limits). Same thread pool and connector shape as rtchat-server.
 */
final class RawBroadcastServer implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

  private RawBroadcastServer() {
    QueuedThreadPool pool = new QueuedThreadPool(200, 4);
    pool.setName("raw-http");
    server = new Server(pool);
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setIdleTimeout(3_600_000);
    server.addConnector(connector);
    server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
      container.setIdleTimeout(Duration.ofHours(1));
      container.addMapping("/ws", (request, response, callback) -> new RawBroadcastSocket(sessions));
    }));
  }

  static RawBroadcastServer start() throws Exception {
    RawBroadcastServer raw = new RawBroadcastServer();
    raw.server.start();
    return raw;
  }

  int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
