package io.rtchat.signal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class Mqtt5RefusalsTest {

  private static MqttEndpoint broker(String uri) {
    return MqttEndpoint.parse(URI.create(uri));
  }

  @Test
  void aBrokerIsRememberedByItsAddressSchemeAndPathButNotItsCredentials() {
    Mqtt5Refusals.remember(broker("mqtt://refusing.example:1883/room-a"));

    assertThat(Mqtt5Refusals.refused(broker("mqtt://alice:secret@refusing.example:1883/room-b")))
        .isTrue();
    assertThat(Mqtt5Refusals.refused(broker("mqtts://refusing.example:1883/room-a"))).isFalse();
    assertThat(Mqtt5Refusals.refused(broker("mqtt://refusing.example:1884/room-a"))).isFalse();

    Mqtt5Refusals.forget(broker("mqtt://refusing.example:1883"));
    assertThat(Mqtt5Refusals.refused(broker("mqtt://refusing.example:1883/room-a"))).isFalse();
  }

  @Test
  void forgettingAPortForgetsEveryHostNameItWasReachedBy() {
    Mqtt5Refusals.remember(broker("mqtt://127.0.0.2:1999"));
    Mqtt5Refusals.remember(broker("mqtt+ws://localhost:1999/mqtt"));

    Mqtt5Refusals.forgetPort(1999);

    assertThat(Mqtt5Refusals.refused(broker("mqtt://127.0.0.2:1999"))).isFalse();
    assertThat(Mqtt5Refusals.refused(broker("mqtt+ws://localhost:1999/mqtt"))).isFalse();
  }

  @Test
  void theLeastRecentlyUsedBrokerGoesWhenTheMemoryIsFull() {
    MqttEndpoint first = broker("mqtt://first.example:1883");
    Mqtt5Refusals.remember(first);
    for (int i = 0; i < Mqtt5Refusals.MAX_BROKERS; i++) {
      Mqtt5Refusals.remember(broker("mqtt://filler-" + i + ".example:1883"));
    }

    assertThat(Mqtt5Refusals.refused(first)).isFalse();
    assertThat(Mqtt5Refusals.refused(broker("mqtt://filler-0.example:1883"))).isTrue();
  }
}
