package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsLoader;
import io.rtchat.signal.ws.RelayHub;
import io.rtchat.signal.ws.RelayLimits;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code /signal} relay across instances: WebSocket signaling clients on different server
 * instances, sharing one real Mosquitto backplane, meet in one room.
 */
class RelayBackplaneTest {
  private static Mosquitto broker;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    broker = Mosquitto.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** A server instance with its own relay hub, on the test's chat (topic prefix). */
  private record Instance(RtchatServer server, RelayHub hub) {
    URI signal() {
      return URI.create(server.uri().toString().replace("http://", "ws://") + "/signal");
    }

    int port() {
      return server.uri().getPort();
    }
  }

  private Instance instance(String chat) throws Exception {
    return instance(chat, broker.uri());
  }

  private Instance instance(String chat, URI backplane) throws Exception {
    Settings settings = SettingsLoader.defaults();
    settings.backplane.url = backplane.toString();
    settings.backplane.topicPrefix = chat;
    settings.backplane.keepAliveSeconds = BackplaneTest.KEEP_ALIVE;
    RelayHub hub = new RelayHub(RelayLimits.defaults());
    RtchatServer server = RtchatServer.builder().settings(settings).host("127.0.0.1").port(0)
        .extension(new SignalRelayExtension(hub)).build();
    resources.add(server);
    server.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.backplane().connected());
    return new Instance(server, hub);
  }

  /** A signaling client that records every payload it receives, as text. */
  private final class Client {
    final SignalingTransport transport;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<TransportState> states = new CopyOnWriteArrayList<>();

    Client(URI signal, String name, String goodbye) throws Exception {
      URI uri = URI.create(signal + "?room=demo&maxBackoffMs=300");
      transport = SignalingTransports.providerFor(uri).create(uri);
      resources.add(transport::close);
      transport.join(new JoinSpec("demo", name, goodbye == null ? null : goodbye.getBytes(StandardCharsets.UTF_8)),
          new SignalingListener() {
            @Override
            public void onPayload(byte[] payload) {
              received.add(new String(payload, StandardCharsets.UTF_8));
            }

            @Override
            public void onStateChanged(TransportState state) {
              states.add(state);
            }
          }).get(10, TimeUnit.SECONDS);
    }

    void send(String to, String text) throws Exception {
      transport.send(to, text.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitPeers(RelayHub hub, String... names) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(hub.peers("demo")).containsExactlyInAnyOrder(names));
  }

  @Test
  void peersOnDifferentInstancesExchangeRoomAndTargetedPayloadsInOrder() throws Exception {
    String chat = BackplaneTest.newChat();
    Instance a = instance(chat);
    Instance b = instance(chat);
    Client alice = new Client(a.signal(), "alice", null);
    Client bob = new Client(b.signal(), "bob", null);
    Client carol = new Client(b.signal(), "carol", null);
    awaitPeers(a.hub(), "alice", "bob", "carol");

    for (int i = 0; i < 50; i++) {
      alice.send(i % 2 == 0 ? null : "bob", "offer-" + i);
    }
    bob.send("alice", "answer");

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("offer-" + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> bob.received.size() == 50);
    assertThat(bob.received).containsExactlyElementsOf(expected);
    await().atMost(Duration.ofSeconds(10)).until(() -> alice.received.contains("answer"));
    await().atMost(Duration.ofSeconds(10)).until(() -> carol.received.size() == 25);
    assertThat(carol.received).allMatch(p -> Integer.parseInt(p.substring(6)) % 2 == 0);
    assertThat(alice.received).containsExactly("answer");
  }

  @Test
  void aNameInUseOnOneInstanceIsRefusedOnTheOther() throws Exception {
    String chat = BackplaneTest.newChat();
    Instance a = instance(chat);
    Instance b = instance(chat);
    new Client(a.signal(), "alice", null);
    awaitPeers(b.hub(), "alice");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Client(b.signal(), "alice", null))
        .hasMessageContaining("name-taken");
  }

  @Test
  void aVanishedClientsGoodbyeReachesPeersOnTheOtherInstance() throws Exception {
    String chat = BackplaneTest.newChat();
    Instance a = instance(chat);
    Instance b = instance(chat);
    TcpProxy cable = new TcpProxy(a.port());
    resources.add(cable);
    URI viaCable = URI.create("ws://127.0.0.1:" + cable.port() + "/signal");
    new Client(viaCable, "alice", "alice-goodbye");
    Client bob = new Client(b.signal(), "bob", null);
    awaitPeers(a.hub(), "alice", "bob");

    cable.close(); // alice's network is gone; her client cannot come back

    await().atMost(Duration.ofSeconds(10)).until(() -> bob.received.contains("alice-goodbye"));
    awaitPeers(b.hub(), "bob");
  }

  @Test
  void whenAnInstanceStopsItsClientsMoveToAnotherAndNobodyNotices() throws Exception {
    String chat = BackplaneTest.newChat();
    Instance a = instance(chat);
    Instance b = instance(chat);
    TcpProxy balancer = new TcpProxy(a.port());
    resources.add(balancer);
    URI viaBalancer = URI.create("ws://127.0.0.1:" + balancer.port() + "/signal");
    Client alice = new Client(viaBalancer, "alice", "alice-goodbye");
    Client bob = new Client(b.signal(), "bob", null);
    awaitPeers(b.hub(), "alice", "bob");

    balancer.retarget(b.port());
    a.server().close();

    await().atMost(Duration.ofSeconds(10))
        .until(() -> alice.states.contains(TransportState.RECONNECTED));
    awaitPeers(b.hub(), "alice", "bob");
    alice.send("bob", "still here");
    await().atMost(Duration.ofSeconds(10)).until(() -> bob.received.contains("still here"));
    // Past the goodbye delay (2 s) a departure would have been delivered by now.
    Instance c = instance(chat);
    awaitPeers(c.hub(), "alice", "bob");
    bob.send("alice", "you were never gone");
    await().atMost(Duration.ofSeconds(10)).until(() -> alice.received.contains("you were never gone"));
    assertThat(bob.received).containsExactly("still here");
  }

  @Test
  void anInstanceThatDiesWithoutAWordTakesItsClientsWithTheirGoodbyes() throws Exception {
    String chat = BackplaneTest.newChat();
    TcpProxy backplaneCable = new TcpProxy(broker.port);
    resources.add(backplaneCable);
    Instance doomed = instance(chat, URI.create("mqtt://127.0.0.1:" + backplaneCable.port()));
    Instance b = instance(chat);
    new Client(doomed.signal(), "alice", "alice-goodbye");
    Client bob = new Client(b.signal(), "bob", null);
    awaitPeers(b.hub(), "alice", "bob");

    backplaneCable.freeze(); // no DISCONNECT, no FIN: the broker's last will speaks for the instance

    // 1.5 keep-alives until the will (plus the broker's check interval), then the 2 s goodbye delay.
    await().atMost(Duration.ofMillis(BackplaneTest.KEEP_ALIVE * 1500L + 14_000))
        .until(() -> bob.received.contains("alice-goodbye"));
    awaitPeers(b.hub(), "bob");
  }

  @Test
  void afterABrokerRestartTheRelaysResyncTheirMembers() throws Exception {
    try (Mosquitto own = Mosquitto.start()) {
      String chat = BackplaneTest.newChat();
      Instance a = instance(chat, own.uri());
      Instance b = instance(chat, own.uri());
      Client alice = new Client(a.signal(), "alice", null);
      new Client(b.signal(), "bob", null);
      awaitPeers(a.hub(), "alice", "bob");

      own.stop();
      Client carol = new Client(b.signal(), "carol", null); // joins while the broker is away
      own.restart(); // retained state is gone with the old broker (persistence false)

      awaitPeers(a.hub(), "alice", "bob", "carol");
      alice.send("carol", "found you");
      await().atMost(Duration.ofSeconds(10)).until(() -> carol.received.contains("found you"));
    }
  }

  @Test
  void garbageOnTheBackplaneIsIgnoredAndEveryoneCarriesOn() throws Exception {
    String chat = BackplaneTest.newChat();
    Instance a = instance(chat);
    Instance b = instance(chat);
    Client alice = new Client(a.signal(), "alice", null);
    Client bob = new Client(b.signal(), "bob", null);
    awaitPeers(a.hub(), "alice", "bob");
    Mqtt5BlockingClient vandal = MqttClient.builder().useMqttVersion5().identifier("vandal-" + chat)
        .serverHost("127.0.0.1").serverPort(broker.port).buildBlocking();
    vandal.connect();
    try {
      Map<String, String> junk = new LinkedHashMap<>();
      junk.put(chat + "/presence/evil1", "not json");
      junk.put(chat + "/presence/evil2", "[1,2]");
      junk.put(chat + "/presence/evil3", "{\"chat\":5,\"relay\":\"x\"}");
      junk.put(chat + "/presence/evil4", "{\"relay\":{\"epoch\":\"e\",\"v\":1,\"members\":[{\"room\":\"demo\"}]}}");
      junk.put(chat + "/room", "{\"o\":\"evil\",\"g\":\"g\",\"q\":1,\"s\":\"relay\",\"e\":{\"ev\":\"join\"}}");
      junk.forEach((topic, payload) -> vandal.publishWith().topic(topic).retain(topic.contains("presence"))
          .payload(payload.getBytes(StandardCharsets.UTF_8)).send());
      vandal.publishWith().topic(chat + "/room").payload("nope".getBytes(StandardCharsets.UTF_8)).send();
      vandal.publishWith().topic(chat + "/room").payload(
          "{\"o\":\"evil\",\"g\":\"g\",\"q\":2,\"s\":\"nosuchservice\",\"e\":{}}"
              .getBytes(StandardCharsets.UTF_8)).send();

      alice.send("bob", "still fine");
      await().atMost(Duration.ofSeconds(10)).until(() -> bob.received.contains("still fine"));
      assertThat(a.hub().peers("demo")).containsExactlyInAnyOrder("alice", "bob");
      assertThat(b.hub().peers("demo")).containsExactlyInAnyOrder("alice", "bob");
      assertThat(a.server().backplane().connected()).isTrue();
    } finally {
      for (int i = 1; i <= 4; i++) { // retained junk must not outlive the test
        vandal.publishWith().topic(chat + "/presence/evil" + i).retain(true).payload(new byte[0]).send();
      }
      vandal.disconnect();
    }
  }
}
