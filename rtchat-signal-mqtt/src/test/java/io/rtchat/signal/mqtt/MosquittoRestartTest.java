package io.rtchat.signal.mqtt;

/** Peers over a real Mosquitto, restarted mid-session on the same port. */
class MosquittoRestartTest extends PeerBrokerRestartBehaviour {

  @Override
  TestBroker startBroker() {
    return MosquittoBroker.start();
  }
}
