package io.rtchat.server;

/**
 * A plug-in mounted into the one Jetty server: the /signal WebSocket relay and the embedded MQTT
 * broker use this without rtchat-server depending on them. Register instances with
 * {@link RtchatServer.Builder#extension(ServerExtension)} (the CLI's Guice module does) or list
 * them in {@code META-INF/services/io.rtchat.server.ServerExtension} for {@link ServerMain}.
 */
public interface ServerExtension extends AutoCloseable {

  /** A short name for logs. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** Adds handlers and WebSocket endpoints before the server starts. */
  void mount(Mounts mounts) throws Exception;

  /**
   * The server is about to stop: close client connections now (with 1001, going away) so that
   * clients reconnect elsewhere at once instead of when Jetty stops.
   */
  default void goingAway() {}

  /** Called after the server stopped; release what {@link #mount} started. */
  @Override
  default void close() {}
}
