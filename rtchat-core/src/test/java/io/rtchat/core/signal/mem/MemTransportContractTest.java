package io.rtchat.core.signal.mem;

import io.rtchat.core.TransportContractTest;
import java.net.URI;

class MemTransportContractTest extends TransportContractTest {
  @Override
  protected URI signalingUri(String room) {
    return URI.create("mem://contract/" + room);
  }
}
