package io.rtchat.signal.mqtt;

import java.net.URI;

/** A real broker a test can stop and start again on the same port. */
interface TestBroker extends AutoCloseable {

  String name();

  int port();

  /** Stops the broker; clients lose their connections. */
  void stop();

  /** Starts the broker again on the same port. */
  void restart();

  /** A signaling URI for {@code room}, optionally with extra query options. */
  default URI uri(String room, String options) {
    return URI.create("mqtt://127.0.0.1:" + port() + "/" + room
        + (options == null || options.isEmpty() ? "" : "?" + options));
  }

  @Override
  void close();
}
