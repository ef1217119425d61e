package io.rtchat.signal.mqtt;

/** The transport against the embedded broker (Moquette, MQTT 3.1.1 after the MQTT 5 fallback). */
class EmbeddedBrokerTransportTest extends MqttTransportBehaviour {

  @Override
  TestBroker startBroker() {
    return new EmbeddedTestBroker();
  }
}
