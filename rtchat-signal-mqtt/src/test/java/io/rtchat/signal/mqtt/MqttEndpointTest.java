package io.rtchat.signal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.signal.SignalingTransports;
import java.net.URI;
import org.junit.jupiter.api.Test;

class MqttEndpointTest {

  private static MqttEndpoint parse(String uri) {
    return MqttEndpoint.parse(URI.create(uri));
  }

  @Test
  void plainMqttDefaultsToPort1883AndTakesTheRoomFromThePath() {
    MqttEndpoint endpoint = parse("mqtt://broker.example/lobby");

    assertThat(endpoint.host()).isEqualTo("broker.example");
    assertThat(endpoint.port()).isEqualTo(1883);
    assertThat(endpoint.tls()).isFalse();
    assertThat(endpoint.webSocket()).isFalse();
    assertThat(endpoint.room()).isEqualTo("lobby");
    assertThat(endpoint.version()).isZero();
    assertThat(endpoint.clientId()).isNull();
  }

  @Test
  void schemesChooseTlsWebSocketAndDefaultPorts() {
    assertThat(parse("mqtts://h/r")).extracting(MqttEndpoint::port, MqttEndpoint::tls)
        .containsExactly(8883, true);
    assertThat(parse("mqtt+ws://h?room=r"))
        .extracting(MqttEndpoint::port, MqttEndpoint::webSocket, MqttEndpoint::webSocketPath)
        .containsExactly(80, true, "/mqtt");
    assertThat(parse("mqtt+wss://h:8884/ws/mqtt?room=r"))
        .extracting(MqttEndpoint::port, MqttEndpoint::tls, MqttEndpoint::webSocketPath,
            MqttEndpoint::room)
        .containsExactly(8884, true, "/ws/mqtt", "r");
    assertThat(parse("mqtt+wss://h").port()).isEqualTo(443);
  }

  @Test
  void optionsSetCredentialsClientIdVersionAndRoom() {
    MqttEndpoint endpoint = parse(
        "mqtt://127.0.0.1:1884/ignored?username=al%20ice&password=s%26cret&clientId=me&version=3&room=team%2Fdev");

    assertThat(endpoint.port()).isEqualTo(1884);
    assertThat(endpoint.username()).isEqualTo("al ice");
    assertThat(endpoint.password()).isEqualTo("s&cret");
    assertThat(endpoint.clientId()).isEqualTo("me");
    assertThat(endpoint.version()).isEqualTo(3);
    assertThat(endpoint.room()).isEqualTo("team/dev");
    assertThat(endpoint.toString()).doesNotContain("cret");
    assertThat(parse("mqtt://h/r?version=5").version()).isEqualTo(5);
  }

  @Test
  void userInfoGivesCredentialsToo() {
    MqttEndpoint endpoint = parse("mqtt://bob:pw@h/r");

    assertThat(endpoint.username()).isEqualTo("bob");
    assertThat(endpoint.password()).isEqualTo("pw");
  }

  @Test
  void mistakesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> parse("mqtt://h/r?user=bob"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'user'");
    assertThatThrownBy(() -> parse("mqtt://h/r?version=4.5"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
    assertThatThrownBy(() -> parse("mqtt:///r"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
    assertThatThrownBy(() -> parse("mqtt://h/r?password=x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("username");
    assertThatThrownBy(() -> parse("mqtt://h/r?room=a&room=b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
  }

  @Test
  void providerServesEveryMqttSchemeThroughServiceLoader() {
    for (String scheme : new String[] {"mqtt", "mqtts", "mqtt+ws", "mqtt+wss"}) {
      URI uri = URI.create(scheme + "://127.0.0.1:1/lobby?room=lobby");
      assertThat(SignalingTransports.providerFor(uri)).isInstanceOf(MqttTransportProvider.class);
    }
  }

  @Test
  void roomOfReadsTheRoomOptionAndOverTcpThePath() {
    MqttTransportProvider provider = new MqttTransportProvider();

    assertThat(provider.roomOf(URI.create("mqtt://h/lobby"))).isEqualTo("lobby");
    assertThat(provider.roomOf(URI.create("mqtt://h"))).isNull();
    assertThat(provider.roomOf(URI.create("mqtt+ws://h/mqtt"))).isNull();
    assertThat(provider.roomOf(URI.create("mqtt+ws://h/mqtt?room=lobby"))).isEqualTo("lobby");
  }
}
