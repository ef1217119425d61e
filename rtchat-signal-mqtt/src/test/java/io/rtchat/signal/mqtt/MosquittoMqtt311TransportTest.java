package io.rtchat.signal.mqtt;

/** The transport against a real Mosquitto, MQTT 3.1.1 ({@code version=3}). */
class MosquittoMqtt311TransportTest extends MqttTransportBehaviour {

  @Override
  TestBroker startBroker() {
    return MosquittoBroker.start();
  }

  @Override
  String options() {
    return "version=3";
  }
}
