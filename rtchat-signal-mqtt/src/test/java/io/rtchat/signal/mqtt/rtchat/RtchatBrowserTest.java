package io.rtchat.signal.mqtt.rtchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.rtchat.core.EventRecorder;
import io.rtchat.core.Peer;
import io.rtchat.core.PeerSession;
import io.rtchat.identity.Identity;
import io.rtchat.identity.KeyType;
import io.rtchat.identity.RtchatKeys;
import io.rtchat.signal.mqtt.EmbeddedBroker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java peer of the RTChat dialect and our own JS client of the RTChat spec in headless Chromium,
 * through the embedded broker (browser over WebSocket, Java over TCP).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtchatBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger ROOMS = new AtomicInteger();

  private static EmbeddedBroker broker;
  private static BrowserHarness browser;

  private final EventRecorder events = new EventRecorder();
  private final List<Peer> peers = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    String missing = BrowserHarness.missing();
    Assumptions.assumeTrue(missing == null, missing);
    broker = EmbeddedBroker.start(0, 0);
    browser = BrowserHarness.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void leave() {
    browser.blank();
    peers.forEach(Peer::close);
  }

  private String room() {
    return "room" + ROOMS.incrementAndGet();
  }

  private String ws() {
    return "ws://127.0.0.1:" + broker.webSocketPort() + "/mqtt";
  }

  private Peer javaPeer(String name, String room, String extraQuery) {
    Peer peer = Peer.builder().name(name).dialect("rtchat")
        .signaling(URI.create("mqtt://127.0.0.1:" + broker.port() + "/" + room + extraQuery))
        .listener(events).authTimeout(Duration.ofSeconds(8)).build();
    peers.add(peer);
    peer.join().join();
    return peer;
  }

  private void openPage(String name, String room, boolean fresh) {
    browser.open(name, room, ws(), fresh);
    await().atMost(WAIT).until(() -> Boolean.TRUE.equals(browser.eval("window.H && H.ready")));
  }

  private void awaitPageValidated(String javaName) {
    await().atMost(WAIT).until(() -> Boolean.TRUE.equals(browser.eval("H.validated['" + javaName + "'] === true")));
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> pageChats() {
    return (List<Map<String, Object>>) browser.eval("H.chats");
  }

  @Test
  void pageOffersJavaAnswersAndTheyChatAskAndVerifyEachOther() throws Exception {
    String room = room();
    // "Alice" < "Zoe": the page initiates. The page is there first, so Java's announce makes it offer.
    openPage("Alice", room, true);
    Peer java = javaPeer("Zoe", room, "");
    events.awaitEvent("connected", "Alice");
    PeerSession session = java.session("Alice").orElseThrow();
    assertThat(session.verified()).isTrue();
    assertThat(session.remoteFingerprint()).hasSize(64);
    assertThat(browser.eval("H.roles['Zoe']")).isEqualTo("offerer");
    // Java asked identify (no key pinned), the page did too and trusts Java's key now.
    awaitPageValidated("Zoe");
    assertThat(browser.eval("H.questions.filter(q => q.from === 'Zoe').map(q => q.topic)"))
        .isEqualTo(List.of("identify"));
    // Java's canonical publicKeyString, byte for byte what Chrome exports (419 characters).
    assertThat((String) browser.eval("JSON.parse(localStorage.getItem('harnessKnown'))['Zoe']"))
        .startsWith("{\"alg\":\"PS256\",\"e\":\"AQAB\",\"ext\":true,\"key_ops\":[\"verify\"],"
            + "\"kty\":\"RSA\",\"n\":\"").hasSize(419);

    session.send("hello from Java, ünïcödé");
    await().atMost(WAIT).until(() -> pageChats().stream().anyMatch(c -> "Zoe".equals(c.get("from"))
        && "hello from Java, ünïcödé".equals(c.get("text"))));
    browser.eval("H.sendChat('Zoe', 'hello from the page')");
    events.awaitEvent("message", "Alice", "hello from the page");

    assertThat(session.ask("upper", "shout", Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS))
        .isEqualTo("SHOUT");
    assertThat(browser.evalAsync("H.ask('Zoe', 'echo', 'ping me', arguments[arguments.length - 1])"))
        .isEqualTo("ping me");
    // Raw challenges are signed once per connection, and only 32 units of U+0000-U+00FF.
    assertThat(browser.evalAsync("H.askWithin('Zoe', 'challenge', 'x'.repeat(32), 1500,"
        + " arguments[arguments.length - 1])")).isEqualTo("no answer");
    browser.eval("H.ping('Zoe')");
    await().atMost(WAIT).until(() -> ((Number) browser.eval("H.pongs")).intValue() == 1);
    browser.eval("H.call('Zoe')");
    await().atMost(WAIT).until(() -> browser.hasEvent("endcall", "Zoe"));

    // The page's signaling payloads were LZ-compressed (>= 100 characters) and Java read them.
    assertThat(((Number) browser.eval("H.compressedSent")).intValue()).isPositive();
    assertThat(browser.eval("H.events.filter(e => e.kind === 'error' || e.kind === 'badjson')"))
        .isEqualTo(List.of());
    assertThat(session.sendFile(Path.of("x"), null)).failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void javaOffersWhenItsNameComesFirstAndPublishesOnlyOddPayloads() throws Exception {
    String room = room();
    List<byte[]> published = new CopyOnWriteArrayList<>();
    Mqtt3AsyncClient sniffer = MqttClient.builder().useMqttVersion3().identifier("sniffer-" + room)
        .serverHost("127.0.0.1").serverPort(broker.port()).buildAsync();
    sniffer.connect().get(10, TimeUnit.SECONDS);
    sniffer.subscribeWith().topicFilter("mrtchat/" + room).qos(MqttQos.AT_MOST_ONCE)
        .callback(p -> published.add(p.getPayloadAsBytes())).send().get(10, TimeUnit.SECONDS);
    try {
      // "adam" < "Zed": Java initiates. Java is there first, so the page's announce makes it offer.
      Peer java = javaPeer("adam", room, "");
      openPage("Zed", room, true);
      events.awaitEvent("connected", "Zed");
      assertThat(java.session("Zed").orElseThrow().verified()).isTrue();
      assertThat(browser.eval("H.roles['adam']")).isEqualTo("answerer");
      String offer = (String) browser.eval("H.events.find(e => e.kind === 'offer').detail");
      assertThat(offer).contains(" UDP/DTLS/SCTP webrtc-datachannel")
          .contains("a=sctp-port:").contains("a=max-message-size:").contains("a=candidate:");
      awaitPageValidated("adam");

      java.session("Zed").orElseThrow().send("from the offerer");
      await().atMost(WAIT).until(() -> pageChats().stream()
          .anyMatch(c -> "from the offerer".equals(c.get("text"))));
      browser.eval("H.sendChat('adam', 'to the offerer')");
      events.awaitEvent("message", "Zed", "to the offerer");

      java.close(); // publishes unload
      await().atMost(WAIT).until(() -> browser.hasEvent("unload", "adam"));
      await().atMost(WAIT).until(() -> browser.hasEvent("closed", "adam"));

      List<byte[]> fromJava = published.stream()
          .filter(p -> new String(p, StandardCharsets.UTF_8).startsWith("{\"sender\":\"adam\""))
          .toList();
      assertThat(fromJava.stream().map(p -> RtchatWire.decode(p).subtopic()).distinct())
          .contains("connect", "RTCOffer", "unload");
      assertThat(fromJava).allSatisfy(p -> assertThat(p.length % 2).isEqualTo(1));
      // The page (which runs every payload through the LZ decoder first) lost none of those
      // published since it is there (Java's first announcement may have come before it).
      List<String> sent = fromJava.stream().map(p -> RtchatWire.decode(p).subtopic()).toList();
      sent = sent.subList(sent.indexOf("RTCOffer"), sent.size());
      @SuppressWarnings("unchecked")
      List<String> seen = (List<String>) browser.eval(
          "H.fromOthers.filter(m => m.sender === 'adam').map(m => m.subtopic)");
      assertThat(seen.subList(seen.indexOf("RTCOffer"), seen.size())).isEqualTo(sent);
    } finally {
      sniffer.disconnect();
    }
  }

  @Test
  void aReloadedPageIsChallengedAndVerifiedAgain() {
    String room = room();
    openPage("Carol", room, true);
    Peer java = javaPeer("Dave", room, "");
    events.awaitEvent("connected", "Carol");
    awaitPageValidated("Dave");

    browser.eval("H.leave()"); // unload from the page
    events.awaitEvent("disconnected", "Carol", "left");
    assertThat(java.session("Carol")).isEmpty();

    openPage("Carol", room, false); // same key and known peers: a reload
    await().atMost(WAIT).until(() -> events.count(e -> e.kind().equals("connected")) == 2);
    assertThat(java.session("Carol").orElseThrow().verified()).isTrue();
    assertThat(browser.eval("H.questions.filter(q => q.from === 'Dave').map(q => q.topic)"))
        .isEqualTo(List.of("challenge"));
    await().atMost(WAIT).until(() -> browser.hasEvent("challenge", "Dave"));
    assertThat(browser.eval("H.events.find(e => e.kind === 'challenge').detail")).isEqualTo(true);
  }

  @Test
  void aPageWithAnotherKeyThanThePinnedOneIsRejected(@TempDir Path dir) throws Exception {
    String room = room();
    Path known = dir.resolve("known.json");
    String otherKey = RtchatKeys.publicKeyString(Identity.generate(KeyType.RSA_PSS).publicKey());
    Files.writeString(known, RtchatWire.JSON.writeValueAsString(Map.of("Erin", otherKey)));
    openPage("Erin", room, true);
    Peer java = javaPeer("Fay", room, "?knownPeers=" + known);
    events.awaitEvent("rejected", "Erin");
    assertThat(events.events()).filteredOn(e -> e.kind().equals("rejected")).first()
        .satisfies(e -> assertThat(e.detail()).contains("challenge failed"));
    assertThat(events.has("connected", "Erin")).isFalse();
    assertThat(java.session("Erin")).isEmpty();
    await().atMost(WAIT).until(() -> browser.hasEvent("closed", "Fay"));
    // No retry loop: the page keeps announcing and offering, but a failed proof holds it off.
    Thread.sleep(4_000);
    assertThat(events.count(e -> e.kind().equals("rejected"))).isEqualTo(1);
    // The pinned key stays: a failed proof never replaces trust.
    assertThat(RtchatKeyStore.file(known).get("Erin")).contains(otherKey);
  }

  @Test
  void aRenamedPageIsReKeyedAndVerifiedAgainUnderItsNewName() {
    String room = room();
    openPage("Gus", room, true);
    Peer java = javaPeer("Hal", room, "");
    events.awaitEvent("connected", "Gus");
    awaitPageValidated("Hal");

    browser.eval("H.rename('Gwen')");
    await().atMost(WAIT).until(() -> java.session("Gwen").map(PeerSession::verified).orElse(false));
    assertThat(java.session("Gus")).isEmpty();
    assertThat(browser.eval("H.questions.filter(q => q.from === 'Hal').map(q => q.topic)"))
        .isEqualTo(List.of("identify", "identify"));
    browser.eval("H.sendChat('Hal', 'still me')");
    events.awaitEvent("message", "Gwen", "still me");
    assertThat(events.count(e -> e.kind().equals("connected"))).isEqualTo(1);
  }

  @Test
  void whenOffersCrossJavaKeepsItsOwnAndThePageGivesWay() {
    String room = room();
    // "adam" < "Zed": Java initiates. Its policy takes 300 ms, so the page's eager offer arrives
    // while Java is about to offer too: Java must ignore it and the page must answer Java's.
    Peer java = Peer.builder().name("adam").dialect("rtchat")
        .signaling(URI.create("mqtt://127.0.0.1:" + broker.port() + "/" + room))
        .connectionPolicy(request -> CompletableFuture.supplyAsync(() -> true,
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)))
        .listener(events).build();
    peers.add(java);
    java.join().join();
    long start = System.nanoTime();
    browser.open("Zed", room, ws(), "&fresh=1&eagerOfferTo=adam");
    events.awaitEvent("connected", "Zed");
    // Well before the page's 10-15 s recovery from a stalled glare.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    assertThat(((RtchatSession) java.session("Zed").orElseThrow()).isOfferer()).isTrue();
    assertThat(browser.eval("H.roles['adam']")).isEqualTo("answerer");
    browser.eval("H.sendChat('adam', 'after the glare')");
    events.awaitEvent("message", "Zed", "after the glare");
  }
}
