package io.rtchat.signal.mqtt;

/** The transport against a real Mosquitto, MQTT 5. */
class MosquittoTransportTest extends MqttTransportBehaviour {

  @Override
  TestBroker startBroker() {
    return MosquittoBroker.start();
  }
}
