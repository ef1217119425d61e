package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsLoader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain server jar's /signal relay, found by ServiceLoader as ServerMain finds it. */
class SignalRelayEndpointTest {

  private RtchatServer server;
  private final List<SignalingTransport> transports = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    transports.forEach(SignalingTransport::close);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void twoClientsOfTheSignalRelayReachEachOther() throws Exception {
    Settings settings = SettingsLoader.defaults();
    settings.broker.port = 0; // the plain jar's embedded broker comes along; 1883 may be taken here
    settings.broker.webSocketPort = 0;
    RtchatServer.Builder builder = RtchatServer.builder().settings(settings).host("127.0.0.1").port(0);
    ServiceLoader.load(ServerExtension.class).forEach(builder::extension);
    server = builder.build();
    URI signal = URI.create(server.start().toString().replace("http://", "ws://") + "/signal?room=lobby");
    List<String> bobGot = new CopyOnWriteArrayList<>();
    SignalingTransport alice = join(signal, "alice", new CopyOnWriteArrayList<>());
    join(signal, "bob", bobGot);

    alice.send(null, "to the room".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    alice.send("bob", "to bob".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bobGot.size() == 2);
    assertThat(bobGot).containsExactly("to the room", "to bob");
  }

  private SignalingTransport join(URI signal, String name, List<String> received) throws Exception {
    SignalingTransport transport = SignalingTransports.providerFor(signal).create(signal);
    transports.add(transport);
    transport.join(new JoinSpec("lobby", name, null), new SignalingListener() {
      @Override
      public void onPayload(byte[] payload) {
        received.add(new String(payload, StandardCharsets.UTF_8));
      }

      @Override
      public void onStateChanged(TransportState state) {}
    }).get(10, TimeUnit.SECONDS);
    return transport;
  }
}
