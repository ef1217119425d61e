package io.rtchat.signal.mqtt;

/** {@link EmbeddedBroker} as a {@link TestBroker}. */
final class EmbeddedTestBroker implements TestBroker {

  private EmbeddedBroker broker;
  private final int port;
  private final int webSocketPort;

  EmbeddedTestBroker() {
    this.broker = EmbeddedBroker.start(0, 0);
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
