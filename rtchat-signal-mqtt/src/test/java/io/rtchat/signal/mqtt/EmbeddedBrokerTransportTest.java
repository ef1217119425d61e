package io.rtchat.signal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingTransport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The transport against the embedded broker (Moquette 0.17 speaks MQTT 3.1.1 only, so the first
 * join here exercises the MQTT 5 → 3.1.1 fallback, the others the memory of it), plus MQTT over
 * WebSocket.
 */
class EmbeddedBrokerTransportTest extends MqttTransportBehaviour {

  @Override
  TestBroker startBroker() {
    return new EmbeddedTestBroker();
  }

  private int webSocketPort() {
    return ((EmbeddedTestBroker) broker).webSocketPort();
  }

  @Test
  void peersMeetOverWebSocketAndTcpInOneRoom() throws Exception {
    String room = room();
    URI webSocket = URI.create(
        "mqtt+ws://127.0.0.1:" + webSocketPort() + "/mqtt?room=" + room + "&version=3");
    Member alice = join(webSocket, room, "alice", new RecordingListener());
    Member bob = join(room, "bob");

    alice.send("bob", "over websocket").get(5, TimeUnit.SECONDS);
    bob.send(null, "over tcp").get(5, TimeUnit.SECONDS);

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(bob.listener().payloads).containsExactly("over websocket");
      assertThat(alice.listener().payloads).containsExactly("over tcp");
    });
  }

  @Test
  void onlyTheFirstJoinToABrokerPaysForTheRefusedMqtt5Attempt() throws Exception {
    try (TcpProxy proxy = new TcpProxy(broker.port())) {
      String room = room();
      URI uri = URI.create("mqtt://127.0.0.1:" + proxy.port() + "/" + room);

      Member alice = join(uri, room, "alice", new RecordingListener());
      Member bob = join(uri, room, "bob", new RecordingListener());
      Member carol = join(uri, room, "carol", new RecordingListener());

      List<Integer> levels = proxy.openings().stream().map(EmbeddedBrokerTransportTest::protocolLevel)
          .toList();
      assertThat(levels).as("MQTT protocol levels of the CONNECTs (5 = MQTT 5, 4 = 3.1.1)")
          .startsWith(5, 4).containsOnlyOnce(5).containsOnly(5, 4);
      for (Member member : List.of(alice, bob, carol)) {
        assertThat(((MqttSignalingTransport) member.transport()).link().version()).isEqualTo(3);
      }
    }
  }

  @Test
  void aClosedEmbeddedBrokerIsForgottenSoTheNextOnItsPortIsAskedForMqtt5Again() throws Exception {
    String room = room();
    try (EmbeddedBroker other = EmbeddedBroker.start(0, 0)) {
      URI uri = URI.create("mqtt://127.0.0.1:" + other.port() + "/" + room);
      join(uri, room, "alice", new RecordingListener());
      assertThat(Mqtt5Refusals.refused(MqttEndpoint.parse(uri))).isTrue();

      other.close();

      assertThat(Mqtt5Refusals.refused(MqttEndpoint.parse(uri))).isFalse();
    }
  }

  /** The protocol level byte of an MQTT CONNECT: the one after the protocol name "MQTT". */
  private static int protocolLevel(byte[] connect) {
    String text = new String(connect, StandardCharsets.ISO_8859_1);
    int name = text.indexOf("MQTT");
    return name < 0 || name + 4 >= connect.length ? -1 : connect[name + 4];
  }

  @Test
  void explicitMqtt5IsNotDowngradedAndFailsWithAClearMessage() {
    SignalingTransport transport = transport(URI.create(
        "mqtt://127.0.0.1:" + broker.port() + "/lobby?version=5"));

    CompletableFuture<Void> joined =
        transport.join(new JoinSpec("lobby", "alice", null), new RecordingListener());

    assertThatThrownBy(() -> joined.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SignalingException.class)
        .cause().hasMessageContaining("127.0.0.1:" + broker.port());
  }

  @Test
  void aServerThatNeverAnswersFailsTheJoinWithinTenSeconds() throws Exception {
    // The backlog accepts the TCP connection; nobody ever reads or answers it.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      SignalingTransport transport = transport(URI.create(
          "mqtt://127.0.0.1:" + silent.getLocalPort() + "/lobby"));
      long started = System.nanoTime();

      CompletableFuture<Void> joined =
          transport.join(new JoinSpec("lobby", "alice", null), new RecordingListener());

      assertThatThrownBy(() -> joined.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SignalingException.class)
          .cause().hasMessageContaining("127.0.0.1:" + silent.getLocalPort());
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
  }
}
