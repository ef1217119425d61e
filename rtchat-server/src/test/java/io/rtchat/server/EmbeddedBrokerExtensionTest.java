package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsLoader;
import io.rtchat.signal.mqtt.EmbeddedBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** [Broker]: the MQTT broker the server starts, as both jars find it by ServiceLoader. */
class EmbeddedBrokerExtensionTest {

  private final Deque<AutoCloseable> toClose = new ConcurrentLinkedDeque<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable closeable; (closeable = toClose.pollLast()) != null; ) {
      closeable.close();
    }
  }

  private static Settings brokerOnFreePorts() {
    Settings settings = SettingsLoader.defaults();
    settings.broker.port = 0;
    settings.broker.webSocketPort = 0;
    return settings;
  }

  private RtchatServer start(Settings settings, EmbeddedBrokerExtension extension) throws Exception {
    RtchatServer server = RtchatServer.builder().settings(settings).host("127.0.0.1").port(0)
        .extension(extension).build();
    toClose.add(server);
    server.start();
    return server;
  }

  @Test
  void bothJarsFindTheBrokerByServiceLoader() {
    assertThat(ServiceLoader.load(ServerExtension.class).stream().map(ServiceLoader.Provider::type))
        .contains(EmbeddedBrokerExtension.class);
  }

  @Test
  void peersOverMqttAndMqttOverWebSocketMeetOnTheServersBroker() throws Exception {
    EmbeddedBrokerExtension extension = new EmbeddedBrokerExtension();
    start(brokerOnFreePorts(), extension);
    EmbeddedBroker broker = extension.broker().orElseThrow();
    assertThat(broker.host()).as("follows the server's host").isEqualTo("127.0.0.1");
    List<String> bobGot = new CopyOnWriteArrayList<>();

    SignalingTransport alice = join(broker.uri("lobby"), "alice", new CopyOnWriteArrayList<>());
    join(broker.webSocketUri("lobby"), "bob", bobGot);
    alice.send(null, "to the room".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    alice.send("bob", "to bob".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bobGot.size() == 2);
    assertThat(bobGot).containsExactlyInAnyOrder("to the room", "to bob");
  }

  @Test
  void closingTheServerStopsTheBroker() throws Exception {
    EmbeddedBrokerExtension extension = new EmbeddedBrokerExtension();
    RtchatServer server = start(brokerOnFreePorts(), extension);
    int port = extension.broker().orElseThrow().port();
    assertThat(accepts(port)).isTrue();

    server.close();

    assertThat(extension.broker()).isEmpty();
    assertThat(accepts(port)).isFalse();
  }

  @Test
  void aBrokerPortInUseStopsTheStartWithOneLineSayingWhatToChange() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Settings settings = brokerOnFreePorts();
      settings.broker.port = taken.getLocalPort();
      RtchatServer server = RtchatServer.builder().settings(settings).host("127.0.0.1").port(0)
          .extension(new EmbeddedBrokerExtension()).build();
      toClose.add(server);

      assertThatThrownBy(server::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("already in use")
          .hasMessageContaining("[Broker] Port")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void aDisabledBrokerStartsNothing() throws Exception {
    Settings settings = SettingsLoader.defaults();
    settings.broker.enabled = false;
    EmbeddedBrokerExtension extension = new EmbeddedBrokerExtension();

    start(settings, extension);

    assertThat(extension.broker()).isEmpty();
  }

  private SignalingTransport join(URI signal, String name, List<String> received) throws Exception {
    SignalingTransport transport = SignalingTransports.providerFor(signal).create(signal);
    toClose.add(transport);
    transport.join(new JoinSpec("lobby", name, null), new SignalingListener() {
      @Override
      public void onPayload(byte[] payload) {
        received.add(new String(payload, StandardCharsets.UTF_8));
      }

      @Override
      public void onStateChanged(io.rtchat.core.signal.TransportState state) {}
    }).get(10, TimeUnit.SECONDS);
    return transport;
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
