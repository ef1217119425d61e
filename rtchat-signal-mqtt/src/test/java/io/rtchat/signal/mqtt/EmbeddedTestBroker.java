package io.rtchat.signal.mqtt;

/** {@link EmbeddedBroker} as a {@link TestBroker}. */
final class EmbeddedTestBroker implements TestBroker {

  private EmbeddedBroker broker;
  private final int port;
  private final int webSocketPort;

  EmbeddedTestBroker() {
    // Restarted on the same ports: keep them out of the ephemeral range (see TestPorts).
    EmbeddedBroker started = null;
    for (int attempt = 0; started == null; attempt++) {
      try {
        started = EmbeddedBroker.start(
            TestPorts.freeNonEphemeralPort(), TestPorts.freeNonEphemeralPort());
      } catch (java.io.UncheckedIOException e) {
        if (attempt == 5) {
          throw e; // taken between the check and the bind, five times over
        }
      }
    }
    this.broker = started;
    this.port = broker.port();
    this.webSocketPort = broker.webSocketPort();
  }

  EmbeddedBroker broker() {
    return broker;
  }

  @Override
  public String name() {
    return "embedded";
  }

  @Override
  public int port() {
    return port;
  }

  int webSocketPort() {
    return webSocketPort;
  }

  @Override
  public synchronized void stop() {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  @Override
  public synchronized void restart() {
    stop();
    broker = EmbeddedBroker.start(port, webSocketPort);
  }

  @Override
  public void close() {
    stop();
  }
}
