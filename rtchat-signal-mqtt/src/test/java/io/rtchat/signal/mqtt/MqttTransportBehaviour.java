package io.rtchat.signal.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What every MQTT signaling transport does against a real broker, whatever the broker. Subclasses
 * name the broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class MqttTransportBehaviour {

  static final Duration WAIT = Duration.ofSeconds(15);

  TestBroker broker;
  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

  abstract TestBroker startBroker();

  /** Extra URI options for every transport of this suite, e.g. {@code version=3}. */
  String options() {
    return "";
  }

  @BeforeAll
  void startBrokerOnce() {
    broker = startBroker();
  }

  @AfterAll
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void closeEverything() throws Exception {
    while (!toClose.isEmpty()) {
      toClose.pop().close();
    }
  }

  static String room() {
    return "room-" + UUID.randomUUID().toString().substring(0, 8);
  }

  record Member(SignalingTransport transport, RecordingListener listener) {
    CompletableFuture<Void> send(String target, String text) {
      return transport.send(target, text.getBytes(UTF_8));
    }
  }

  SignalingTransport transport(URI uri) {
    SignalingTransport transport = SignalingTransports.providerFor(uri).create(uri);
    toClose.push(transport);
    return transport;
  }

  Member join(String room, String name) throws Exception {
    return join(broker.uri(room, options()), room, name, new RecordingListener());
  }

  Member join(URI uri, String room, String name, RecordingListener listener) throws Exception {
    SignalingTransport transport = transport(uri);
    transport.join(new JoinSpec(room, name, ("bye " + name).getBytes(UTF_8)), listener)
        .get(10, TimeUnit.SECONDS);
    assertThat(transport.state()).isEqualTo(TransportState.CONNECTED);
    assertThat(listener.states).containsExactly(TransportState.CONNECTED);
    return new Member(transport, listener);
  }

  Mqtt3BlockingClient rawClient() {
    Mqtt3BlockingClient raw = MqttClient.builder().identifier("raw-" + UUID.randomUUID())
        .serverHost("127.0.0.1").serverPort(broker.port()).useMqttVersion3().buildBlocking();
    raw.connect();
    toClose.push(() -> {
      if (raw.getState().isConnected()) {
        raw.disconnect();
      }
    });
    return raw;
  }

  @Test
  void roomPayloadsReachEveryOtherPeerAndTargetedOnesOnlyTheTarget() throws Exception {
    String room = room();
    Member alice = join(room, "alice");
    Member bob = join(room, "bob");
    Member carol = join(room, "carol");

    alice.send(null, "hello room").get(5, TimeUnit.SECONDS);
    alice.send("bob", "hello bob").get(5, TimeUnit.SECONDS);
    carol.send("alice", "hello alice").get(5, TimeUnit.SECONDS);

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(bob.listener().payloads).containsExactlyInAnyOrder("hello room", "hello bob");
      assertThat(carol.listener().payloads).containsExactly("hello room");
      assertThat(alice.listener().payloads).containsExactly("hello alice");
    });
  }

  @Test
  void roomsAreSeparateAndNamesCannotInjectTopicLevels() throws Exception {
    String room = room();
    Member bob = join(room, "bob");
    Member alice = join(room, "alice");
    // Without escaping these would publish to, or subscribe to, the topics of room and bob.
    Member wildcard = join(room + "/+", "mallory");
    Member hash = join(room + "#", "eve");
    Member sneaky = join(room, "x/to/bob");

    wildcard.send("bob", "from the /+ room").get(5, TimeUnit.SECONDS);
    hash.send(null, "from the # room").get(5, TimeUnit.SECONDS);
    sneaky.send("+", "to the + peer").get(5, TimeUnit.SECONDS);
    alice.send("bob", "for bob").get(5, TimeUnit.SECONDS);

    await().atMost(WAIT).untilAsserted(() ->
        assertThat(bob.listener().payloads).containsExactly("for bob"));
    assertThat(alice.listener().payloads).isEmpty();
    assertThat(wildcard.listener().payloads).isEmpty();
    assertThat(hash.listener().payloads).isEmpty();
    assertThat(sneaky.listener().payloads).isEmpty();
  }

  @Test
  void foreignOversizeAndMisplacedPublicationsAreDroppedWithoutHarm() throws Exception {
    String room = room();
    RecordingListener buggy = new RecordingListener().throwing();
    Member bob = join(broker.uri(room, options()), room, "bob", buggy);
    Mqtt3BlockingClient raw = rawClient();
    String base = Topics.PREFIX + room;

    byte[] oversize = new byte[EnvelopeCodec.MAX_BYTES + 1];
    byte[] largest = new byte[EnvelopeCodec.MAX_BYTES];
    Arrays.fill(largest, (byte) 'x');
    byte[] garbage = {(byte) 0xff, 0, (byte) 0xfe, '{'};
    publish(raw, base + "/from/mallory", oversize);
    publish(raw, Topics.PREFIX + "other-room/from/mallory", "foreign room".getBytes(UTF_8));
    publish(raw, base + "/to/carol", "for someone else".getBytes(UTF_8));
    publish(raw, base + "/from/mallory/extra", "too deep".getBytes(UTF_8));
    publish(raw, base, "bare room topic".getBytes(UTF_8));
    publish(raw, base + "/from/mallory", new byte[0]);
    publish(raw, base + "/from/mallory", garbage); // opaque here; the envelope codec rejects it
    publish(raw, base + "/from/mallory", largest);
    publish(raw, base + "/to/bob", "marker".getBytes(UTF_8));

    await().atMost(WAIT).until(() -> buggy.payloads.contains("marker"));
    assertThat(buggy.sizes).containsExactly(garbage.length, largest.length, "marker".length());

    // The listener threw on every payload; the transport still works.
    Member alice = join(room, "alice");
    alice.send("bob", "still alive").get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> buggy.payloads.contains("still alive"));
    assertThat(bob.transport().state()).isEqualTo(TransportState.CONNECTED);
  }

  private static void publish(Mqtt3BlockingClient raw, String topic, byte[] payload) {
    raw.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
  }

  @Test
  void outboundPayloadsOverTheLimitFailTheirFuture() throws Exception {
    Member alice = join(room(), "alice");

    CompletableFuture<Void> tooBig = alice.transport().send(null, new byte[EnvelopeCodec.MAX_BYTES + 1]);

    assertThatThrownBy(() -> tooBig.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
    alice.transport().send(null, new byte[EnvelopeCodec.MAX_BYTES]).get(5, TimeUnit.SECONDS);
  }

  @Test
  void unreachableBrokerFailsTheJoinWithinTenSecondsNamingHostAndPort() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      closedPort = socket.getLocalPort();
    }
    SignalingTransport transport = transport(URI.create("mqtt://127.0.0.1:" + closedPort + "/lobby"));
    long started = System.nanoTime();

    CompletableFuture<Void> joined = transport.join(
        new JoinSpec("lobby", "alice", null), new RecordingListener());

    assertThatThrownBy(() -> joined.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SignalingException.class)
        .cause().hasMessageContaining("127.0.0.1:" + closedPort);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void brokerRestartSuspendsThenReconnectsAndPayloadsFlowAgain() throws Exception {
    String room = room();
    Member alice = join(room, "alice");
    Member bob = join(room, "bob");

    broker.stop();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(alice.listener().states).endsWith(TransportState.SUSPENDED);
      assertThat(bob.listener().states).endsWith(TransportState.SUSPENDED);
    });
    assertThat(alice.transport().state()).isEqualTo(TransportState.SUSPENDED);
    assertThatThrownBy(() -> alice.send(null, "into the void").get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SignalingException.class);

    broker.restart();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(alice.listener().states).containsExactly(
          TransportState.CONNECTED, TransportState.SUSPENDED, TransportState.RECONNECTED);
      assertThat(bob.listener().states).containsExactly(
          TransportState.CONNECTED, TransportState.SUSPENDED, TransportState.RECONNECTED);
    });
    Member carol = join(room, "carol");
    alice.send(null, "back again").get(5, TimeUnit.SECONDS);
    alice.send("bob", "for bob").get(5, TimeUnit.SECONDS);
    carol.send("alice", "hi, I am new").get(5, TimeUnit.SECONDS);

    // Mosquitto publishes every client's will while it shuts down; those must not be delivered.
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(bob.listener().payloads).containsExactlyInAnyOrder("back again", "for bob");
      assertThat(carol.listener().payloads).containsExactly("back again");
      assertThat(alice.listener().payloads).containsExactly("hi, I am new");
    });
  }

  @Test
  void theWillReachesTheRoomWhenAPeerVanishesButNotOnACleanClose() throws Exception {
    String room = room();
    Member alice = join(room, "alice");
    Member carol = join(room, "carol");
    TcpProxy proxy = new TcpProxy(broker.port());
    toClose.push(proxy);
    Member bob = join(URI.create("mqtt://127.0.0.1:" + proxy.port() + "/" + room
        + (options().isEmpty() ? "" : "?" + options())), room, "bob", new RecordingListener());

    carol.transport().close();
    proxy.close(); // bob's connection dies without a DISCONNECT, as in a crash

    await().atMost(WAIT).until(() -> alice.listener().payloads.contains("bye bob"));
    assertThat(alice.listener().payloads).containsExactly("bye bob");
    await().atMost(WAIT).until(() -> bob.transport().state() == TransportState.SUSPENDED);

    // Closing while suspended stops HiveMQ's reconnect attempts (at the next one, which fails).
    MqttLink link = ((MqttSignalingTransport) bob.transport()).link();
    bob.transport().close();
    await().atMost(WAIT).until(() -> link.clientState() == MqttClientState.DISCONNECTED);
  }

  @Test
  void closedTransportRefusesSendsAndReportsLost() throws Exception {
    Member alice = join(room(), "alice");

    alice.transport().close();

    assertThat(alice.transport().state()).isEqualTo(TransportState.LOST);
    assertThatThrownBy(() -> alice.send(null, "late").get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SignalingException.class);
  }
}
