package io.rtchat.signal.mqtt;

/** Peers over the embedded broker, restarted mid-session on the same port. */
class EmbeddedBrokerRestartTest extends PeerBrokerRestartBehaviour {

  @Override
  TestBroker startBroker() {
    return new EmbeddedTestBroker();
  }
}
