package io.rtchat.signal.ws;

import io.rtchat.core.TransportContractTest;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared transport contract (peers, data channels, signaling bytes) through a relay. */
class WsTransportContractTest extends TransportContractTest {

  private static StandaloneRelay relay;

  @BeforeAll
  static void startRelay() {
    relay = StandaloneRelay.start(0);
  }

  @AfterAll
  static void stopRelay() {
    relay.close();
  }

  @Override
  protected URI signalingUri(String room) {
    return relay.uri(room);
  }
}
