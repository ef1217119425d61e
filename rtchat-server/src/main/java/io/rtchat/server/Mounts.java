package io.rtchat.server;

import io.rtchat.server.backplane.BackplaneServices;
import io.rtchat.server.config.Settings;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

/** What a {@link ServerExtension} may add to the server. Paths must not clash with the built-in ones. */
public interface Mounts {

  /** Requests whose path equals {@code path} or starts with {@code path + "/"} go to {@code handler}. */
  void handler(String path, Handler handler);

  /** A WebSocket endpoint at exactly {@code path} (e.g. {@code /signal}). */
  void webSocket(String path, WebSocketCreator creator);

  /** The Jetty server, e.g. to add a lifecycle bean or another connector. */
  Server server();

  /** The server's settings (validated), e.g. for an extension's own section. */
  Settings settings();

  /** The scale-out backplane shared with other instances, when one is configured. */
  Optional<BackplaneServices> backplane();
}
