package io.rtchat.signal.mqtt.rtchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.EventRecorder;
import io.rtchat.core.Peer;
import io.rtchat.core.PeerListener;
import io.rtchat.core.PeerSession;
import io.rtchat.core.signal.TransportState;
import io.rtchat.signal.mqtt.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two Java peers speaking the RTChat dialect to each other, without a browser. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtchatJavaPeersTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private Peer peer(String name, URI uri, PeerListener listener) {
    Peer peer = Peer.builder().name(name).dialect("rtchat").signaling(uri).listener(listener)
        .answer("upper", (from, content) -> java.util.concurrent.CompletableFuture
            .completedFuture(content.toUpperCase()))
        .build();
    closeables.add(peer);
    return peer;
  }

  @Test
  void javaPeersVerifyEachOtherChatAndSurviveABrokerRestart() throws Exception {
    int port = freeNonEphemeralPort();
    EmbeddedBroker[] broker = {EmbeddedBroker.start(port, 0)};
    closeables.add(() -> broker[0].close());
    URI uri = URI.create("mqtt://127.0.0.1:" + port + "/javas");
    List<TransportState> states = new CopyOnWriteArrayList<>();
    EventRecorder ann = new EventRecorder() {
      @Override
      public void onSignalingState(TransportState state) {
        states.add(state);
      }
    };
    EventRecorder bea = new EventRecorder();
    Peer annPeer = peer("ann", uri, ann);
    Peer beaPeer = peer("Bea", uri, bea);
    annPeer.join().get(10, TimeUnit.SECONDS);
    beaPeer.join().get(10, TimeUnit.SECONDS);

    ann.awaitEvent("connected", "Bea");
    bea.awaitEvent("connected", "ann");
    PeerSession toBea = annPeer.session("Bea").orElseThrow();
    PeerSession toAnn = beaPeer.session("ann").orElseThrow();
    assertThat(toBea.verified()).isTrue();
    assertThat(toAnn.verified()).isTrue();
    assertThat(((RtchatSession) toBea).isOfferer()).isTrue(); // "ann" < "Bea"

    toBea.send("hi Bea");
    bea.awaitEvent("message", "ann", "hi Bea");
    toAnn.sendJson(java.util.Map.of("n", 1));
    ann.awaitEvent("message", "Bea", "{\"n\":1}");
    assertThat(toAnn.ask("upper", "abc", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .isEqualTo("ABC");
    assertThat(toBea.ask("echo", "same", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .isEqualTo("same");
    // RTChat has no error reply: an unknown topic is never answered, so the question times out.
    assertThat(toBea.ask("nobody-knows", "x", Duration.ofMillis(300)))
        .failsWithin(Duration.ofSeconds(5));

    // The broker goes away and comes back: the data channels never notice.
    broker[0].close();
    await().atMost(WAIT).until(() -> states.contains(TransportState.SUSPENDED));
    broker[0] = startOn(port);
    await().atMost(WAIT).until(() -> states.contains(TransportState.RECONNECTED));
    assertThat(toBea.isOpen()).isTrue();
    toBea.send("still here");
    bea.awaitEvent("message", "ann", "still here");

    toAnn.close();
    ann.awaitEvent("disconnected", "Bea");
    assertThat(annPeer.sessions()).isEmpty();
  }

  private static EmbeddedBroker startOn(int port) {
    UncheckedIOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return EmbeddedBroker.start(port, 0);
      } catch (UncheckedIOException e) {
        last = e;
        sleep(250);
      }
    }
    throw last;
  }

  /** Below the ephemeral range, so that no reconnecting client takes the port meanwhile. */
  private static int freeNonEphemeralPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException e) {
        // taken
      }
    }
    throw new IllegalStateException("no free port in 20000..30000");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aRefusingPolicyKeepsPeersApartAndSaysSoOnce() throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.start(0, 0);
    closeables.add(broker);
    URI uri = URI.create("mqtt://127.0.0.1:" + broker.port() + "/refusals");
    EventRecorder picky = new EventRecorder();
    Peer pickyPeer = Peer.builder().name("picky").dialect("rtchat").signaling(uri).listener(picky)
        .connectionPolicy(io.rtchat.core.ConnectionPolicy.rejectAll()).build();
    closeables.add(pickyPeer);
    EventRecorder other = new EventRecorder();
    Peer otherPeer = peer("other", uri, other);
    pickyPeer.join().get(10, TimeUnit.SECONDS);
    otherPeer.join().get(10, TimeUnit.SECONDS);
    picky.awaitEvent("rejected", "other");
    Thread.sleep(3_500); // a few more announcements from "other"
    assertThat(picky.count(e -> e.kind().equals("rejected"))).isEqualTo(1);
    assertThat(picky.has("connected", "other")).isFalse();
    assertThat(other.has("connected", "picky")).isFalse();
  }

  @Test
  void announcesLikeThePageOnItsTopicAtQos0AndNeverRetained() throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.start(0, 0);
    closeables.add(broker);
    List<Long> times = new CopyOnWriteArrayList<>();
    List<com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish> seen = new CopyOnWriteArrayList<>();
    var sniffer = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3()
        .identifier("sniffer").serverHost("127.0.0.1").serverPort(broker.port()).buildAsync();
    sniffer.connect().get(10, TimeUnit.SECONDS);
    closeables.add(() -> sniffer.disconnect());
    sniffer.subscribeWith().topicFilter("mrtchat/#")
        .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
        .callback(p -> {
          times.add(System.nanoTime());
          seen.add(p);
        }).send().get(10, TimeUnit.SECONDS);

    Peer solo = peer("solo", URI.create("mqtt://127.0.0.1:" + broker.port()
        + "/lobby?dialect=rtchat"), new EventRecorder());
    solo.join().get(10, TimeUnit.SECONDS);
    long joined = System.nanoTime();
    await().atMost(WAIT).until(() -> seen.size() >= 2);

    // 0.5 s after SUBACK, then 3 s after it (the page's schedule), while nobody is connected.
    assertThat(Duration.ofNanos(times.get(0) - joined)).isBetween(Duration.ofMillis(200),
        Duration.ofMillis(2_000));
    assertThat(Duration.ofNanos(times.get(1) - times.get(0))).isBetween(Duration.ofMillis(1_500),
        Duration.ofMillis(4_500));
    for (var publish : seen) {
      assertThat(publish.getTopic().toString()).isEqualTo("mrtchat/lobby");
      assertThat(publish.getQos()).isEqualTo(com.hivemq.client.mqtt.datatypes.MqttQos.AT_MOST_ONCE);
      assertThat(publish.isRetain()).isFalse();
      byte[] payload = publish.getPayloadAsBytes();
      assertThat(payload.length % 2).isEqualTo(1);
      RtchatWire.Envelope envelope = RtchatWire.decode(payload);
      assertThat(envelope.sender()).isEqualTo("solo");
      assertThat(envelope.subtopic()).isEqualTo("connect");
      assertThat(envelope.data().get("publicKeyString").asText()).startsWith("{\"alg\":\"PS256\"");
    }
    // Nothing stays on the broker for later subscribers.
    List<Object> retained = new CopyOnWriteArrayList<>();
    var late = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3()
        .identifier("late").serverHost("127.0.0.1").serverPort(broker.port()).buildAsync();
    late.connect().get(10, TimeUnit.SECONDS);
    closeables.add(() -> late.disconnect());
    late.subscribeWith().topicFilter("mrtchat/#").callback(p -> {
      if (p.isRetain()) {
        retained.add(p);
      }
    }).send().get(10, TimeUnit.SECONDS);
    Thread.sleep(500);
    assertThat(retained).isEmpty();
  }
}
