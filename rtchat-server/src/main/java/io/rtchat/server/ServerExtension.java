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

  /** Called after the server stopped; release what {@link #mount} started. */
  @Override
  default void close() {}
}
