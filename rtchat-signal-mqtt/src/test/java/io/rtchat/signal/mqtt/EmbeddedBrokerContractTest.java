package io.rtchat.signal.mqtt;

import io.rtchat.core.TransportContractTest;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract (peers, data channels, signaling bytes) over the embedded broker. */
class EmbeddedBrokerContractTest extends TransportContractTest {

  private static EmbeddedBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start(0, 0);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Override
  protected URI signalingUri(String room) {
    return broker.uri(room);
  }
}
