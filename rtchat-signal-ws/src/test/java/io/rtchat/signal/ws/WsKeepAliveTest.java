package io.rtchat.signal.ws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.TransportState;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A network that silently stops delivering is found by ping/pong, a reconnect whose handshake
 * stalls is retried, and the client takes its name back from its dead connection without the room
 * seeing its goodbye.
 */
@Timeout(60)
class WsKeepAliveTest {

  private StandaloneRelay relay;
  private TcpProxy proxy;

  @BeforeEach
  void start() throws Exception {
    relay = StandaloneRelay.start(0);
    proxy = new TcpProxy(relay.port());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    relay.close();
  }

  @Test
  void silentNetworkIsDetectedAndTheSameClientTakesItsNameBack() throws Exception {
    URI viaProxy = URI.create("ws://127.0.0.1:" + proxy.port()
        + "/signal?room=demo&keepAliveSec=1&connectTimeoutMs=1500&maxBackoffMs=300");
    RecordingListener aliceHears = new RecordingListener();
    RecordingListener bobHears = new RecordingListener();
    try (WsTransport alice = new WsTransport(WsOptions.parse(viaProxy));
         WsTransport bob = new WsTransport(WsOptions.parse(relay.uri("demo")))) {
      alice.join(new JoinSpec("demo", "alice", "alice vanished".getBytes(UTF_8)), aliceHears)
          .get(10, TimeUnit.SECONDS);
      bob.join(new JoinSpec("demo", "bob", null), bobHears).get(10, TimeUnit.SECONDS);

      proxy.blackhole(true);
      await().atMost(Duration.ofSeconds(15))
          .until(() -> alice.state() == TransportState.SUSPENDED);
      // Let a reconnect attempt stall in its handshake: it must time out and be retried.
      await().atMost(Duration.ofSeconds(15)).until(() -> proxy.accepted() >= 2);
      proxy.blackhole(false);
      await().atMost(Duration.ofSeconds(15))
          .until(() -> alice.state() == TransportState.RECONNECTED);

      // The relay had not noticed the old connection die; the rejoin replaced it, no goodbye.
      alice.send("bob", "back".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
      assertThat(bobHears.next()).isEqualTo("back");
      assertThat(relay.hub().peers("demo")).containsExactly("bob", "alice");
    }
  }

  @Test
  void connectionCutInTheMiddleIsResumedWithoutTheRoomSeeingAGoodbye() throws Exception {
    relay.close();
    proxy.close();
    relay = StandaloneRelay.start("127.0.0.1", 0,
        RelayLimits.defaults().withGoodbyeDelay(Duration.ofSeconds(20)), RelayAuthenticator.OPEN);
    proxy = new TcpProxy(relay.port());
    URI viaProxy = URI.create("ws://127.0.0.1:" + proxy.port()
        + "/signal?room=demo&maxBackoffMs=300");
    RecordingListener bobHears = new RecordingListener();
    try (WsTransport alice = new WsTransport(WsOptions.parse(viaProxy));
         WsTransport bob = new WsTransport(WsOptions.parse(relay.uri("demo")))) {
      alice.join(new JoinSpec("demo", "alice", "alice vanished".getBytes(UTF_8)),
          new RecordingListener()).get(10, TimeUnit.SECONDS);
      bob.join(new JoinSpec("demo", "bob", null), bobHears).get(10, TimeUnit.SECONDS);

      proxy.dropConnections();
      await().atMost(Duration.ofSeconds(15))
          .until(() -> alice.state() == TransportState.RECONNECTED);

      alice.send("bob", "back".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
      assertThat(bobHears.next()).isEqualTo("back");
      assertThat(relay.hub().peers("demo")).containsExactly("bob", "alice");
    }
  }
}
