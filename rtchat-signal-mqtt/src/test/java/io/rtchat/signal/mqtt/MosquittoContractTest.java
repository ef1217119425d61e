package io.rtchat.signal.mqtt;

import io.rtchat.core.TransportContractTest;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract (peers, data channels, signaling bytes) over a real Mosquitto, MQTT 5. */
class MosquittoContractTest extends TransportContractTest {

  private static MosquittoBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Override
  protected URI signalingUri(String room) {
    return broker.uri(room, "");
  }
}
