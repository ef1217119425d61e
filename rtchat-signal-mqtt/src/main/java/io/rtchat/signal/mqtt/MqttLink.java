package io.rtchat.signal.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.rtchat.core.signal.EnvelopeCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One HiveMQ client of one MQTT version, reduced to what the transport needs. The two versions have
 * parallel but unrelated APIs in HiveMQ; this keeps the difference in one place: what both do is
 * here, each subclass only puts it into its version's message types.
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
  private final Events events;

  MqttLink(MqttEndpoint endpoint, String clientId, Events events) {
    this.endpoint = endpoint;
    this.clientId = clientId;
    this.events = events;
  }

  static MqttLink create(int version, MqttEndpoint endpoint, String clientId, Events events) {
    return version == 3 ? new V3(endpoint, clientId, events) : new V5(endpoint, clientId, events);
  }

  abstract int version();

  /** Connects with a clean session, the will (if any) on {@code willTopic}. */
  abstract CompletableFuture<Void> connect(String willTopic, byte[] will);

  /**
   * Subscribes to every filter with QoS 1; fails when the broker refuses one. Each subscription
   * has its own callback, not a global one: HiveMQ ends every flow, global ones too, when a
   * clean-start reconnect expires the session, and we subscribe afresh after each one.
   */
  abstract CompletableFuture<Void> subscribe(String... filters);

  abstract CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos);

  /** A normal disconnect: the broker discards the will. */
  abstract CompletableFuture<Void> disconnect();

  abstract MqttClient client();

  /** HiveMQ's view of the connection, including whether it is still reconnecting. */
  final MqttClientState clientState() {
    return client().getState();
  }

  final MqttClientBuilder builder() {
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

  /** The endpoint's password, or null: a login may have a user name alone. */
  final byte[] password() {
    return endpoint.password() == null ? null : endpoint.password().getBytes(StandardCharsets.UTF_8);
  }

  final void deliver(MqttTopic topic, Optional<ByteBuffer> payload) {
    events.publication(this, topic.toString(), payload.orElse(null));
  }

  /** Fails when the broker refused a subscription; {@code isError} reads the version's codes. */
  static <C> Void requireGranted(List<C> codes, Predicate<C> isError) {
    for (C code : codes) {
      if (isError.test(code)) {
        throw new IllegalStateException("broker refused the subscription: " + code);
      }
    }
    return null;
  }

  static final class V5 extends MqttLink {
    private final Mqtt5AsyncClient client;

    V5(MqttEndpoint endpoint, String clientId, Events events) {
      super(endpoint, clientId, events);
      this.client = builder().useMqttVersion5().buildAsync();
    }

    @Override
    int version() {
      return 5;
    }

    @Override
    MqttClient client() {
      return client;
    }

    @Override
    CompletableFuture<Void> connect(String willTopic, byte[] will) {
      return client.connectWith()
          .cleanStart(true)
          .sessionExpiryInterval(0)
          .keepAlive(KEEP_ALIVE_SECONDS)
          .restrictions().maximumPacketSize(MAX_PACKET_BYTES).applyRestrictions()
          .simpleAuth(login())
          .willPublish(will == null ? null : Mqtt5Publish.builder()
              .topic(willTopic).qos(MqttQos.AT_LEAST_ONCE).payload(will).build())
          .send().thenApply(ack -> null);
    }

    private Mqtt5SimpleAuth login() {
      if (endpoint.username() == null) {
        return null;
      }
      var login = Mqtt5SimpleAuth.builder().username(endpoint.username());
      return (password() == null ? login : login.password(password())).build();
    }

    @Override
    CompletableFuture<Void> subscribe(String... filters) {
      Mqtt5Subscribe subscribe = Mqtt5Subscribe.builder().addSubscriptions(Arrays.stream(filters)
          .map(filter -> Mqtt5Subscription.builder().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).build()))
          .build();
      return client.subscribe(subscribe, publish -> deliver(publish.getTopic(), publish.getPayload()))
          .thenApply(ack -> requireGranted(ack.getReasonCodes(), Mqtt5SubAckReasonCode::isError));
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
  }

  static final class V3 extends MqttLink {
    private final Mqtt3AsyncClient client;

    V3(MqttEndpoint endpoint, String clientId, Events events) {
      super(endpoint, clientId, events);
      this.client = builder().useMqttVersion3().buildAsync();
    }

    @Override
    int version() {
      return 3;
    }

    @Override
    MqttClient client() {
      return client;
    }

    @Override
    CompletableFuture<Void> connect(String willTopic, byte[] will) {
      return client.connectWith()
          .cleanSession(true)
          .keepAlive(KEEP_ALIVE_SECONDS)
          .simpleAuth(login())
          .willPublish(will == null ? null : Mqtt3Publish.builder()
              .topic(willTopic).qos(MqttQos.AT_LEAST_ONCE).payload(will).build())
          .send().thenApply(ack -> null);
    }

    private Mqtt3SimpleAuth login() {
      if (endpoint.username() == null) {
        return null;
      }
      var login = Mqtt3SimpleAuth.builder().username(endpoint.username());
      return (password() == null ? login : login.password(password())).build();
    }

    @Override
    CompletableFuture<Void> subscribe(String... filters) {
      Mqtt3Subscribe subscribe = Mqtt3Subscribe.builder().addSubscriptions(Arrays.stream(filters)
          .map(filter -> Mqtt3Subscription.builder().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).build()))
          .build();
      return client.subscribe(subscribe, publish -> deliver(publish.getTopic(), publish.getPayload()))
          .thenApply(ack -> requireGranted(ack.getReturnCodes(), Mqtt3SubAckReturnCode::isError));
    }

    @Override
    CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos) {
      return client.publishWith().topic(topic).qos(qos).payload(payload).send().thenApply(p -> null);
    }

    @Override
    CompletableFuture<Void> disconnect() {
      return client.disconnect();
    }
  }
}
