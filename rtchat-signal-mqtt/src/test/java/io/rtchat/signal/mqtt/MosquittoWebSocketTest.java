package io.rtchat.signal.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code mqtt+ws://} against a real Mosquitto, next to a peer on plain TCP. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MosquittoWebSocketTest {

  private static MosquittoBroker broker;
  private final Deque<SignalingTransport> transports = new ArrayDeque<>();

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.startWithWebSocket();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @AfterEach
  void closeTransports() {
    while (!transports.isEmpty()) {
      transports.pop().close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "&version=3"})
  void peersMeetOverWebSocketAndTcpInOneRoom(String version) throws Exception {
    String room = "ws-room" + version.length();
    RecordingListener alice = new RecordingListener();
    RecordingListener bob = new RecordingListener();
    SignalingTransport aliceTransport = join(URI.create("mqtt+ws://127.0.0.1:"
        + broker.webSocketPort() + "/mqtt?room=" + room + version), room, "alice", alice);
    SignalingTransport bobTransport =
        join(broker.uri(room, version.isEmpty() ? "" : version.substring(1)), room, "bob", bob);

    aliceTransport.send("bob", "over websocket".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
    bobTransport.send(null, "over tcp".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(bob.payloads).containsExactly("over websocket");
      assertThat(alice.payloads).containsExactly("over tcp");
    });
  }

  private SignalingTransport join(URI uri, String room, String name, RecordingListener listener)
      throws Exception {
    SignalingTransport transport = SignalingTransports.providerFor(uri).create(uri);
    transports.push(transport);
    transport.join(new JoinSpec(room, name, null), listener).get(10, TimeUnit.SECONDS);
    return transport;
  }
}
