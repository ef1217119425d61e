package io.rtchat.signal.ws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WsTransportTest {

  /** Close code a client sees when the connection ends without a close frame. */
  private static final int ABNORMAL = 1006;

  private StandaloneRelay relay;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startRelay() {
    relay = StandaloneRelay.start(0);
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    relay.close();
  }

  private URI uri(String room) {
    return URI.create(relay.uri(room) + "&maxBackoffMs=300");
  }

  private SignalingTransport transport(URI uri) {
    SignalingTransport transport = SignalingTransports.providerFor(uri).create(uri);
    closeables.add(transport);
    return transport;
  }

  private SignalingTransport joined(String room, String name, RecordingListener listener)
      throws Exception {
    SignalingTransport transport = transport(uri(room));
    transport.join(new JoinSpec(room, name, null), listener).get(10, TimeUnit.SECONDS);
    return transport;
  }

  private RawClient raw(RawClient client) {
    closeables.add(client::closeBlocking);
    return client;
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail");
  }

  @Test
  void peersExchangeRoomAndTargetedPayloadsThroughTheRelay() throws Exception {
    RecordingListener aliceHears = new RecordingListener();
    RecordingListener bobHears = new RecordingListener();
    RecordingListener carolHears = new RecordingListener();
    SignalingTransport alice = joined("demo", "alice", aliceHears);
    SignalingTransport bob = joined("demo", "bob", bobHears);
    joined("demo", "carol", carolHears);

    assertThat(alice.state()).isEqualTo(TransportState.CONNECTED);
    assertThat(aliceHears.states).containsExactly(TransportState.CONNECTED);
    alice.send(null, "{\"k\":\"a\",\"f\":\"alice\"}".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(bobHears.next()).isEqualTo("{\"k\":\"a\",\"f\":\"alice\"}");
    assertThat(carolHears.next()).isEqualTo("{\"k\":\"a\",\"f\":\"alice\"}");

    bob.send("alice", "only for alice".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
    bob.send("carol", "only for carol".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(aliceHears.next()).isEqualTo("only for alice");
    assertThat(carolHears.next()).isEqualTo("only for carol");
    assertThat(aliceHears.payloads).isEmpty();
    assertThat(relay.hub().peers("demo")).containsExactly("alice", "bob", "carol");
  }

  @Test
  void arbitraryBytesArriveUnchanged() throws Exception {
    RecordingListener bobHears = new RecordingListener();
    SignalingTransport alice = joined("demo", "alice", new RecordingListener());
    joined("demo", "bob", bobHears);
    byte[] bytes = new byte[4096];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }

    alice.send("bob", bytes).get(5, TimeUnit.SECONDS);

    assertThat(bobHears.payloads.poll(10, TimeUnit.SECONDS)).isEqualTo(bytes);
  }

  @Test
  void joinFailsFastWhenNoRelayListens() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    SignalingTransport transport = transport(URI.create("ws://127.0.0.1:" + port + "/signal"));
    long start = System.nanoTime();

    Throwable error = failure(transport.join(new JoinSpec("demo", "alice", null),
        new RecordingListener()));

    assertThat(error).isInstanceOf(SignalingException.class).hasMessageContaining("127.0.0.1");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(transport.state()).isEqualTo(TransportState.LOST);
  }

  @Test
  void joinTimesOutWhenTheServerNeverAnswers() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          accepted.add(silent.accept());
        } catch (IOException e) {
          // closed by the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      SignalingTransport transport = transport(URI.create(
          "ws://127.0.0.1:" + silent.getLocalPort() + "/signal?connectTimeoutMs=700"));

      Throwable error = failure(transport.join(new JoinSpec("demo", "alice", null),
          new RecordingListener()));

      assertThat(error).isInstanceOf(SignalingException.class).hasMessageContaining("700 ms");
      assertThat(transport.state()).isEqualTo(TransportState.LOST);
      acceptor.join(5_000);
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void takenNameFailsTheJoinWithTheRelaysReason() throws Exception {
    joined("demo", "alice", new RecordingListener());
    SignalingTransport second = transport(uri("demo"));

    Throwable error = failure(second.join(new JoinSpec("demo", "alice", null),
        new RecordingListener()));

    assertThat(error).isInstanceOf(SignalingException.class)
        .hasMessageContaining("name-taken").hasMessageContaining("choose another name");
  }

  @Test
  void relayWithSharedSecretAdmitsOnlyTheRightToken() throws Exception {
    relay.close();
    relay = StandaloneRelay.start("127.0.0.1", 0, RelayLimits.defaults(),
        RelayAuthenticator.sharedSecret("s3cret"));
    SignalingTransport wrong = transport(URI.create(relay.uri("demo") + "&token=guess"));
    SignalingTransport right = transport(URI.create(relay.uri("demo") + "&token=s3cret"));

    Throwable error = failure(wrong.join(new JoinSpec("demo", "mallory", null),
        new RecordingListener()));
    right.join(new JoinSpec("demo", "alice", null), new RecordingListener())
        .get(10, TimeUnit.SECONDS);

    assertThat(error).hasMessageContaining("unauthorized");
    assertThat(relay.hub().peers("demo")).containsExactly("alice");
  }

  @Test
  void goodbyeReachesTheRoomWhenAPeerVanishesButNotWhenItLeaves() throws Exception {
    RecordingListener bobHears = new RecordingListener();
    joined("demo", "bob", bobHears);
    RawClient observer = raw(RawClient.joined(relay.uri("demo"), "demo", "observer", null));
    RawClient vanishing = raw(RawClient.joined(relay.uri("demo"), "demo", "vanishing", "bye!"));
    SignalingTransport leaving = transport(uri("demo"));
    leaving.join(new JoinSpec("demo", "leaving", "farewell".getBytes(UTF_8)),
        new RecordingListener()).get(10, TimeUnit.SECONDS);

    vanishing.getSocket().close();
    assertThat(bobHears.next()).isEqualTo("bye!");
    leaving.close();

    RelayFrames.Parsed frame = observer.next("peer-left");
    assertThat(frame.get("name")).isEqualTo("vanishing");
    assertThat(observer.next("peer-left").get("name")).isEqualTo("leaving");
    assertThat(bobHears.payloads).isEmpty();
  }

  @Test
  void misbehavingClientsAreAnsweredOrClosedWhileOthersCarryOn() throws Exception {
    RecordingListener bobHears = new RecordingListener();
    SignalingTransport alice = joined("demo", "alice", new RecordingListener());
    joined("demo", "bob", bobHears);

    RawClient garbage = raw(RawClient.joined(relay.uri("demo"), "demo", "garbage", null));
    garbage.send("}{ not json");
    assertThat(garbage.next("error").get("code")).isEqualTo("bad-frame");
    garbage.send("{\"op\":\"teleport\"}");
    assertThat(garbage.next("error").get("code")).isEqualTo("unknown-op");
    garbage.send("{\"op\":\"send\",\"to\":[\"bob\"],\"data\":\"x\"}");
    assertThat(garbage.next("error").get("code")).isEqualTo("bad-frame");
    garbage.send(RelayFrames.send("nobody", new RelayFrames.Payload("x", false)));
    assertThat(garbage.next("error").get("code")).isEqualTo("unknown-target");

    RawClient oversize = raw(RawClient.joined(relay.uri("demo"), "demo", "oversize", null));
    oversize.send(RelayFrames.send(null,
        new RelayFrames.Payload("x".repeat(RelayLimits.DEFAULT_MAX_FRAME_BYTES + 1), false)));
    assertThat(oversize.awaitClosed()).isTrue();
    // 1006 when the relay's close races the client's unsent bytes (TCP reset).
    assertThat(oversize.closeCode).isIn(RelayHub.TOO_BIG, ABNORMAL);

    RawClient flooder = raw(RawClient.joined(relay.uri("demo"), "demo", "flooder", null));
    String spam = RelayFrames.send("garbage", new RelayFrames.Payload("spam", false));
    try {
      for (int i = 0; i < 2_000 && flooder.isOpen(); i++) {
        flooder.send(spam);
      }
    } catch (WebsocketNotConnectedException e) {
      // closed by the relay between isOpen() and send(): what this test waits for
    }
    assertThat(flooder.awaitClosed()).isTrue();
    assertThat(flooder.closeCode).isIn(RelayHub.POLICY_VIOLATION, ABNORMAL);

    alice.send("bob", "still working".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(bobHears.next()).isEqualTo("still working");
    assertThat(relay.hub().peers("demo")).containsExactly("alice", "bob", "garbage");
  }

  @Test
  void relayRestartSuspendsThenReconnectsAndPayloadsFlowAgain() throws Exception {
    RecordingListener aliceHears = new RecordingListener();
    RecordingListener bobHears = new RecordingListener();
    SignalingTransport alice = joined("demo", "alice", aliceHears);
    SignalingTransport bob = joined("demo", "bob", bobHears);
    int port = relay.port();

    relay.close();
    await().atMost(Duration.ofSeconds(10)).until(
        () -> alice.state() == TransportState.SUSPENDED && bob.state() == TransportState.SUSPENDED);
    assertThat(failure(alice.send("bob", "lost".getBytes(UTF_8))))
        .isInstanceOf(SignalingException.class);
    relay = StandaloneRelay.start("127.0.0.1", port, RelayLimits.defaults(),
        RelayAuthenticator.OPEN);

    await().atMost(Duration.ofSeconds(15)).until(() ->
        alice.state() == TransportState.RECONNECTED && bob.state() == TransportState.RECONNECTED);
    assertThat(aliceHears.states).containsExactly(
        TransportState.CONNECTED, TransportState.SUSPENDED, TransportState.RECONNECTED);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> relay.hub().peers("demo").size() == 2);
    alice.send("bob", "back again".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(bobHears.next()).isEqualTo("back again");
  }

  @Test
  void closeLeavesTheRoomAndEndsInLost() throws Exception {
    SignalingTransport alice = joined("demo", "alice", new RecordingListener());
    joined("demo", "bob", new RecordingListener());

    alice.close();

    assertThat(alice.state()).isEqualTo(TransportState.LOST);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> relay.hub().peers("demo").equals(List.of("bob")));
    assertThat(failure(alice.send(null, "x".getBytes(UTF_8))))
        .isInstanceOf(SignalingException.class);
  }
}
