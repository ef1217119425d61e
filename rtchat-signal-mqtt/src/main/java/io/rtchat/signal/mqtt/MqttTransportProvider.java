package io.rtchat.signal.mqtt;

import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransportProvider;
import java.net.URI;
import java.util.Set;

/**
 * MQTT signaling: {@code mqtt://host[:1883][/room]}, {@code mqtts://} (TLS, port 8883),
 * {@code mqtt+ws://host[:80][/path]?room=R} and {@code mqtt+wss://} (MQTT over WebSocket, path
 * {@value MqttEndpoint#DEFAULT_WS_PATH} by default). Options: {@code username}, {@code password},
 * {@code clientId}, {@code version=3|5}, {@code room}. See the module README.
 */
public final class MqttTransportProvider implements SignalingTransportProvider {

  @Override
  public Set<String> schemes() {
    return MqttEndpoint.SCHEMES;
  }

  @Override
  public SignalingTransport create(URI uri) {
    return new MqttSignalingTransport(MqttEndpoint.parse(uri));
  }

  /** The {@code room} option, else (except over WebSocket, where the path is the endpoint) the path. */
  @Override
  public String roomOf(URI uri) {
    return MqttEndpoint.parse(uri).room();
  }
}
