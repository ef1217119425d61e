package io.rtchat.signal.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3ConnectBuilder;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.rtchat.core.signal.EnvelopeCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HiveMQ client of one MQTT version, reduced to what the transport needs. The two versions have
 * parallel but unrelated APIs in HiveMQ; this keeps the difference in one place.
 */
abstract sealed class MqttLink permits MqttLink.V5, MqttLink.V3 {

  /** What the link reports to its transport; called on HiveMQ's threads. */
  interface Events {
    void connected(MqttLink link);

    void disconnected(MqttLink link, MqttClientDisconnectedContext context);

    void publication(MqttLink link, String topic, ByteBuffer payload);
  }

  /** Largest packet we let a broker send us (MQTT 5): one maximal payload plus topic and header. */
  static final int MAX_PACKET_BYTES = EnvelopeCodec.MAX_BYTES + 1024;
  static final long SOCKET_CONNECT_TIMEOUT_MS = 4_000;
  static final long MQTT_CONNECT_TIMEOUT_MS = 4_000;
  static final int KEEP_ALIVE_SECONDS = 30;

  final MqttEndpoint endpoint;
  final String clientId;

  MqttLink(MqttEndpoint endpoint, String clientId) {
    this.endpoint = endpoint;
    this.clientId = clientId;
  }

  static MqttLink create(int version, MqttEndpoint endpoint, String clientId, Events events) {
    return version == 3 ? new V3(endpoint, clientId, events) : new V5(endpoint, clientId, events);
  }

  abstract int version();

  /** Connects with a clean session, the will (if any) on {@code willTopic}. */
  abstract CompletableFuture<Void> connect(String willTopic, byte[] will);

  /** Subscribes with QoS 1; fails when the broker refuses a filter. */
  abstract CompletableFuture<Void> subscribe(String... filters);

  abstract CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos);

  /** A normal disconnect: the broker discards the will. */
  abstract CompletableFuture<Void> disconnect();

  /** HiveMQ's view of the connection, including whether it is still reconnecting. */
  abstract com.hivemq.client.mqtt.MqttClientState clientState();

  MqttClientBuilder builder(Events events) {
    MqttClientBuilder builder = MqttClient.builder()
        .identifier(clientId)
        .transportConfig()
        .serverHost(endpoint.host())
        .serverPort(endpoint.port())
        .socketConnectTimeout(SOCKET_CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .mqttConnectTimeout(MQTT_CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .applyTransportConfig()
        .addConnectedListener(context -> events.connected(this))
        .addDisconnectedListener(context -> events.disconnected(this, context));
    if (endpoint.tls()) {
      builder = builder.sslWithDefaultConfig();
    }
    if (endpoint.webSocket()) {
      String path = endpoint.webSocketPath();
      builder = builder.webSocketConfig()
          .serverPath(path.startsWith("/") ? path.substring(1) : path)
          .applyWebSocketConfig();
    }
    return builder;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static final class V5 extends MqttLink {
    private final Mqtt5AsyncClient client;
    private final Events events;

    V5(MqttEndpoint endpoint, String clientId, Events events) {
      super(endpoint, clientId);
      this.events = events;
      this.client = builder(events).useMqttVersion5().buildAsync();
    }

    @Override
    int version() {
      return 5;
    }

    @Override
    CompletableFuture<Void> connect(String willTopic, byte[] will) {
      Mqtt5ConnectBuilder.Send<CompletableFuture<Mqtt5ConnAck>> connect = client.connectWith()
          .cleanStart(true)
          .sessionExpiryInterval(0)
          .keepAlive(KEEP_ALIVE_SECONDS)
          .restrictions().maximumPacketSize(MAX_PACKET_BYTES).applyRestrictions();
      if (endpoint.username() != null) {
        var auth = connect.simpleAuth().username(endpoint.username());
        if (endpoint.password() != null) {
          auth = auth.password(utf8(endpoint.password()));
        }
        connect = auth.applySimpleAuth();
      }
      if (will != null) {
        connect = connect.willPublish()
            .topic(willTopic).payload(will).qos(MqttQos.AT_LEAST_ONCE)
            .applyWillPublish();
      }
      return connect.send().thenApply(ack -> null);
    }

    @Override
    CompletableFuture<Void> subscribe(String... filters) {
      var subscribe = client.subscribeWith()
          .addSubscription().topicFilter(filters[0]).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
      for (int i = 1; i < filters.length; i++) {
        subscribe = subscribe
            .addSubscription().topicFilter(filters[i]).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
      }
      // A callback per subscription, not a global one: HiveMQ ends every flow, global ones too,
      // when a clean-start reconnect expires the session, and we subscribe afresh after each one.
      return subscribe.callback(publish -> events.publication(
              this, publish.getTopic().toString(), publish.getPayload().orElse(null)))
          .send().thenApply(ack -> {
        for (Mqtt5SubAckReasonCode code : ack.getReasonCodes()) {
          if (code.isError()) {
            throw new IllegalStateException("broker refused the subscription: " + code);
          }
        }
        return null;
      });
    }

    @Override
    CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos) {
      return client.publishWith().topic(topic).qos(qos).payload(payload).send()
          .thenApply(result -> {
            if (result.getError().isPresent()) {
              throw new IllegalStateException(
                  "broker refused the publication: " + result.getError().get().getMessage());
            }
            return null;
          });
    }

    @Override
    CompletableFuture<Void> disconnect() {
      return client.disconnect();
    }

    @Override
    com.hivemq.client.mqtt.MqttClientState clientState() {
      return client.getState();
    }
  }

  static final class V3 extends MqttLink {
    private final Mqtt3AsyncClient client;
    private final Events events;

    V3(MqttEndpoint endpoint, String clientId, Events events) {
      super(endpoint, clientId);
      this.events = events;
      this.client = builder(events).useMqttVersion3().buildAsync();
    }

    @Override
    int version() {
      return 3;
    }

    @Override
    CompletableFuture<Void> connect(String willTopic, byte[] will) {
      var connect = client.connectWith().cleanSession(true).keepAlive(KEEP_ALIVE_SECONDS);
      if (endpoint.username() != null) {
        var auth = connect.simpleAuth().username(endpoint.username());
        if (endpoint.password() != null) {
          auth = auth.password(utf8(endpoint.password()));
        }
        connect = auth.applySimpleAuth();
      }
      if (will != null) {
        connect = connect.willPublish()
            .topic(willTopic).payload(will).qos(MqttQos.AT_LEAST_ONCE)
            .applyWillPublish();
      }
      return connect.send().thenApply(ack -> null);
    }

    @Override
    CompletableFuture<Void> subscribe(String... filters) {
      var subscribe = client.subscribeWith()
          .addSubscription().topicFilter(filters[0]).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
      for (int i = 1; i < filters.length; i++) {
        subscribe = subscribe
            .addSubscription().topicFilter(filters[i]).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
      }
      // A callback per subscription, not a global one: HiveMQ ends every flow, global ones too,
      // when a clean-start reconnect expires the session, and we subscribe afresh after each one.
      return subscribe.callback(publish -> events.publication(
              this, publish.getTopic().toString(), publish.getPayload().orElse(null)))
          .send().thenApply(ack -> {
        for (Mqtt3SubAckReturnCode code : ack.getReturnCodes()) {
          if (code.isError()) {
            throw new IllegalStateException("broker refused the subscription: " + code);
          }
        }
        return null;
      });
    }

    @Override
    CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos) {
      return client.publishWith().topic(topic).qos(qos).payload(payload).send().thenApply(p -> null);
    }

    @Override
    CompletableFuture<Void> disconnect() {
      return client.disconnect();
    }

    @Override
    com.hivemq.client.mqtt.MqttClientState clientState() {
      return client.getState();
    }
  }
}
