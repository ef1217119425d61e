package io.rtchat.signal.ws;

import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransportProvider;
import java.net.URI;
import java.util.Set;

/**
 * {@code ws://HOST:PORT/signal?room=ROOM} or {@code ws://HOST:PORT/signal/ROOM} (and {@code wss://}):
 * signaling through a WebSocket relay ({@link RelayHub}, served by rtchat-server at {@code /signal}
 * or by {@link StandaloneRelay}). Options go in the query; see the module README.
 */
public final class WsTransportProvider implements SignalingTransportProvider {

  @Override
  public Set<String> schemes() {
    return Set.of("ws", "wss");
  }

  @Override
  public SignalingTransport create(URI uri) {
    return new WsTransport(WsOptions.parse(uri));
  }

  /**
   * The {@code room} query parameter, else the last path segment when the path has at least two
   * (the segments before it name the relay endpoint), else {@code null}:
   * {@code ws://h:p/signal?room=demo} and {@code ws://h:p/signal/demo} give {@code demo}, {@code
   * ws://h:p/signal} gives {@code null}.
   */
  @Override
  public String roomOf(URI uri) {
    return WsOptions.roomOf(uri);
  }
}
