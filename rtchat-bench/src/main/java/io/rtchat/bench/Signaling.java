package io.rtchat.bench;

import io.rtchat.signal.mqtt.EmbeddedBroker;
import io.rtchat.signal.ws.StandaloneRelay;
import java.net.URI;
import java.util.function.Function;

/** The signaling backends a pair of peers can meet through, started for the run. */
final class Signaling implements AutoCloseable {

  private EmbeddedBroker broker;
  private StandaloneRelay relay;

  /** mem:// — in-process, no network. */
  Function<String, URI> mem() {
    return room -> URI.create("mem://bench/" + room);
  }

  /** mqtt:// through an embedded broker on a free port of 127.0.0.1. */
  Function<String, URI> mqtt() {
    if (broker == null) {
      broker = EmbeddedBroker.start(0, 0);
    }
    EmbeddedBroker b = broker;
    return b::uri;
  }

  /** ws:// through a standalone relay on a free port of 127.0.0.1. */
  Function<String, URI> ws() {
    if (relay == null) {
      relay = StandaloneRelay.start(0);
    }
    StandaloneRelay r = relay;
    return r::uri;
  }

  @Override
  public void close() {
    if (relay != null) {
      relay.close();
    }
    if (broker != null) {
      broker.close();
    }
  }
}
