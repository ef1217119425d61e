package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtchat.server.config.Settings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scale-out: several server instances in this JVM share one chat through a real Mosquitto. Every
 * test uses its own topic prefix, so tests sharing the broker do not see each other.
 */
class BackplaneTest {
  static final int KEEP_ALIVE = 2;
  private static final AtomicInteger CHATS = new AtomicInteger();
  static Mosquitto broker;

  @BeforeAll
  static void startBroker() {
    broker = Mosquitto.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  /** A new chat (topic prefix) that instances join with {@link #instance}. */
  static String newChat() {
    return "rtchat/test-" + ProcessHandle.current().pid() + "-" + CHATS.incrementAndGet();
  }

  static RtchatServer instance(URI brokerUri, String chat, Consumer<Settings> tweak) {
    RtchatServer s = TestServers.start(st -> {
      st.backplane.url = brokerUri.toString();
      st.backplane.topicPrefix = chat;
      st.backplane.keepAliveSeconds = KEEP_ALIVE;
      st.limits.messagesPerSecond = 100_000;
      st.limits.messageBurst = 100_000;
      st.limits.sendQueueMessages = 4096;
      tweak.accept(st);
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> s.backplane().connected());
    return s;
  }

  static RtchatServer instance(String chat) {
    return instance(broker.uri(), chat, st -> { });
  }

  static void say(WsClient c, String channel, String text) {
    c.send(Map.of("action", "message", "channel", channel, "message", text));
  }

  @Test
  void noBackplaneConfiguredMeansNoBackplaneObject() {
    try (RtchatServer single = TestServers.start()) {
      assertThat(single.backplane()).isNull();
    }
  }

  @Test
  void serverMainTakesTheBrokerFromTheCommandLine() {
    assertThat(ServerMain.parse(new String[] {"--backplane", "mqtt://10.0.0.5:1883"}).backplane())
        .isEqualTo(URI.create("mqtt://10.0.0.5:1883"));
    assertThat(ServerMain.parse(new String[] {}).backplane()).isNull();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerMain.parse(new String[] {"--backplane", "ws://x:1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mqtt://host:port");
  }

  @Test
  void usersOnDifferentInstancesSeeEachOtherChatAndDirectMessage() {
    String chat = newChat();
    try (RtchatServer a = instance(chat); RtchatServer b = instance(chat);
        WsClient alice = WsClient.login(a.uri(), "alice"); WsClient bob = WsClient.login(b.uri(), "bob")) {
      alice.expectWho(n -> n.contains("alice") && n.contains("bob"));
      bob.expectWho(n -> n.contains("alice") && n.contains("bob"));

      say(alice, "lobby", "hello from A");
      JsonNode mine = alice.expectMessage("hello from A");
      JsonNode theirs = bob.expectMessage("hello from A");
      assertThat(theirs.path("username").asText()).isEqualTo("alice");
      assertThat(theirs.path("channel").asText()).isEqualTo("lobby");
      assertThat(theirs.path("msgID").asLong()).isEqualTo(mine.path("msgID").asLong());

      say(bob, "@alice", "psst from B");
      JsonNode copy = bob.expectMessage("psst from B");
      assertThat(copy.path("channel").asText()).isEqualTo("@alice");
      JsonNode dm = alice.expectMessage("psst from B");
      assertThat(dm.path("channel").asText()).isEqualTo("@bob");
      assertThat(dm.path("username").asText()).isEqualTo("bob");
      assertThat(dm.path("msgID").asLong()).isEqualTo(copy.path("msgID").asLong());

      // A newcomer on B gets A's channel line in its echo.
      try (WsClient carol = WsClient.connect(b.uri())) {
        carol.send(Map.of("action", "login", "username", "carol"));
        JsonNode echo = carol.expect("echo");
        assertThat(echo.path("messages").toString()).contains("hello from A");
      }
      // Leaving is seen on the other instance.
      bob.close();
      alice.expect("presence", n -> n.path("username").asText().equals("bob")
          && n.path("message").asText().equals("has exited the room!"));
      alice.expectWho(n -> !n.contains("bob"));
      say(alice, "@bob", "are you there?");
      alice.expectError("appears not to be online");
    }
  }

  @Test
  void reactsAndTakebacksReachTheOtherInstancesAndItsEchoBuffer() {
    String chat = newChat();
    try (RtchatServer a = instance(chat); RtchatServer b = instance(chat);
        WsClient author = WsClient.login(a.uri(), "author"); WsClient fan = WsClient.login(b.uri(), "fan")) {
      fan.expectWho(n -> n.contains("author"));
      say(author, "lobby", "take me back");
      long id = fan.expectMessage("take me back").path("msgID").asLong();
      fan.send(Map.of("action", "react", "msgID", id, "message", "+1"));
      JsonNode react = author.expect("react");
      assertThat(react.path("username").asText()).isEqualTo("fan");
      assertThat(react.path("msgID").asLong()).isEqualTo(id);
      author.send(Map.of("action", "takeback", "msgID", id));
      assertThat(fan.expect("takeback").path("msgID").asLong()).isEqualTo(id);
      try (WsClient late = WsClient.connect(b.uri())) {
        late.send(Map.of("action", "login", "username", "late"));
        assertThat(late.expect("echo").path("messages").toString()).doesNotContain("take me back");
      }
    }
  }

  @Test
  void aKilledServerProcessStartedWithBackplaneLeavesEveryWhoList() throws Exception {
    String chat = newChat();
    Path settings = Files.createTempFile("rtchat-backplane-", ".toml");
    Files.writeString(settings, "[Backplane]\nTopicPrefix = \"" + chat + "\"\nKeepAliveSeconds = "
        + KEEP_ALIVE + "\n[Broker]\nEnabled = false\n");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "io.rtchat.server.ServerMain", "--config", settings.toString(), "--host", "127.0.0.1", "--port", "0",
        "--backplane", broker.uri().toString()))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (RtchatServer a = instance(chat); WsClient watcher = WsClient.login(a.uri(), "watcher")) {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (Exception e) {
          return String.valueOf(e);
        }
      }).get(30, TimeUnit.SECONDS);
      assertThat(line).startsWith("listening on http://127.0.0.1:");
      URI child = URI.create(line.substring("listening on ".length()));
      try (WsClient victim = WsClient.login(child, "victim")) {
        watcher.expectWho(n -> n.contains("victim"));
        p.destroyForcibly(); // SIGKILL: no goodbye from the process
        watcher.expectWho(n -> !n.contains("victim") && n.contains("watcher"));
      }
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(settings);
    }
  }

  @Test
  void metricsShowTheBackplaneConnection() throws Exception {
    try (RtchatServer a = instance(newChat())) {
      HttpResponse<String> r = Http.CLIENT.send(
          HttpRequest.newBuilder(a.uri().resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).contains("rtchat_backplane_connected 1.0").contains("rtchat_backplane_connects_total 1.0");
    }
  }

  @Test
  void webcamRingAndSignalingAreRelayedByteForByteAcrossInstances() {
    String chat = newChat();
    try (RtchatServer a = instance(chat); RtchatServer b = instance(chat);
        WsClient cam = WsClient.login(a.uri(), "broadcaster"); WsClient viewer = WsClient.login(b.uri(), "viewer")) {
      cam.send(Map.of("action", "me", "video", 1, "status", "online"));
      viewer.expect("who", w -> WsClient.entry(w, "broadcaster") != null
          && WsClient.entry(w, "broadcaster").path("video").asInt() == 1);

      viewer.send(Map.of("action", "open", "username", "broadcaster"));
      JsonNode open = viewer.expect("open");
      JsonNode ring = cam.expect("ring");
      assertThat(ring.path("username").asText()).isEqualTo("viewer");
      assertThat(ring.path("openSecret").asText()).isEqualTo(open.path("openSecret").asText()).hasSize(16);

      String offer = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 4611 2 IN IP4 127.0.0.1\\r\\na=x:\u00e9\u2028<&>\\\"\\r\\n\"}";
      String answer = "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\na=fingerprint:sha-256 AB:CD\\r\\n\"}";
      String candidate = "{\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}";
      viewer.send(Map.of("action", "sdp", "username", "broadcaster", "description", offer));
      JsonNode gotOffer = cam.expect("sdp");
      assertThat(gotOffer.path("username").asText()).isEqualTo("viewer");
      assertThat(gotOffer.path("description").asText()).isEqualTo(offer);

      cam.send(Map.of("action", "sdp", "username", "viewer", "description", answer));
      assertThat(viewer.expect("sdp").path("description").asText()).isEqualTo(answer);
      cam.send(Map.of("action", "candidate", "username", "viewer", "candidate", candidate));
      assertThat(viewer.expect("candidate").path("candidate").asText()).isEqualTo(candidate);
      viewer.send(Map.of("action", "candidate", "username", "broadcaster", "candidate", candidate));
      assertThat(cam.expect("candidate").path("username").asText()).isEqualTo("viewer");

      viewer.send(Map.of("action", "watch", "username", "broadcaster"));
      assertThat(cam.expect("watch").path("username").asText()).isEqualTo("viewer");
      viewer.send(Map.of("action", "unwatch", "username", "broadcaster"));
      assertThat(cam.expect("unwatch").path("username").asText()).isEqualTo("viewer");
    }
  }

  @Test
  void aGuestNameTakenOnAnotherInstanceIsDeduplicated() {
    String chat = newChat();
    try (RtchatServer a = instance(chat); RtchatServer b = instance(chat);
        WsClient first = WsClient.login(a.uri(), "dana"); WsClient watcher = WsClient.login(b.uri(), "watcher")) {
      watcher.expectWho(n -> n.contains("dana"));
      try (WsClient second = WsClient.login(b.uri(), "dana")) {
        assertThat(second.name).isEqualTo("dana 2");
        first.expectWho(n -> n.contains("dana") && n.contains("dana 2"));
      }
    }
  }

  @Test
  void anInstanceStartedLaterKnowsTheBansAndWebsiteNamesOfTheOthers() {
    String chat = newChat();
    try (RtchatServer a = instance(broker.uri(), chat, s -> TestServers.jwt(s, false));
        WsClient op = OperatorCommandsTest.op(a, "boss")) {
      say(op, "lobby", "/ban eve 2");
      op.expectError("eve has been banned from the room for 2 hours.");
      try (RtchatServer late = instance(broker.uri(), chat, s -> TestServers.jwt(s, false));
          WsClient watcher = WsClient.login(late.uri(), "watcher")) {
        watcher.expectWho(n -> n.contains("boss")); // A's retained presence has arrived

        try (WsClient eve = WsClient.connect(late.uri())) {
          eve.send(Map.of("action", "login", "username", "eve"));
          eve.expectError("You are currently banned from entering the chat room.");
        }
        try (WsClient guest = WsClient.connect(late.uri())) {
          guest.send(Map.of("action", "login", "username", "boss"));
          assertThat(guest.expect("me").path("username").asText()).isNotEqualTo("boss");
        }

        say(op, "lobby", "/unban eve");
        op.expectError("The ban on eve has been lifted.");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          try (WsClient eve = WsClient.connect(late.uri())) {
            eve.send(Map.of("action", "login", "username", "eve"));
            assertThat(eve.expect("me").path("username").asText()).isEqualTo("eve");
          }
        });
      }
    }
  }

  @Test
  void banAndKickByAnOpOnOneInstanceHoldOnTheOther() {
    String chat = newChat();
    try (RtchatServer a = instance(broker.uri(), chat, s -> TestServers.jwt(s, false));
        RtchatServer b = instance(broker.uri(), chat, s -> TestServers.jwt(s, false));
        WsClient op = OperatorCommandsTest.op(a, "boss");
        WsClient eve = WsClient.login(b.uri(), "eve"); WsClient kim = WsClient.login(b.uri(), "kim")) {
      op.expectWho(n -> n.contains("eve") && n.contains("kim"));

      say(op, "lobby", "/kick kim");
      kim.expectError("You have been kicked from the chat room by boss");
      kim.expect("disconnect");
      op.expectError("kim has been kicked from the room");
      eve.expect("presence", n -> n.path("username").asText().equals("kim")
          && n.path("message").asText().equals("has been kicked from the room!"));
      op.expectWho(n -> !n.contains("kim"));

      say(op, "lobby", "/ban eve 2");
      eve.expectError("You have been banned from the chat room by boss");
      eve.expect("disconnect");
      op.expectError("eve has been banned from the room for 2 hours.");
      op.expectWho(n -> !n.contains("eve"));
      try (WsClient again = WsClient.connect(b.uri())) {
        again.send(Map.of("action", "login", "username", "eve"));
        again.expectError("You are currently banned from entering the chat room.");
        again.expect("disconnect");
      }
      // A website user signing in on A signs the same user out on B.
      try (WsClient webOnB = WsClient.connect(b.uri())) {
        webOnB.send(Map.of("action", "login", "jwt", Tokens.valid("webuser", Map.of())));
        webOnB.expect("me");
        op.expectWho(n -> n.contains("webuser"));
        try (WsClient webOnA = WsClient.connect(a.uri())) {
          webOnA.send(Map.of("action", "login", "jwt", Tokens.valid("webuser", Map.of())));
          assertThat(webOnA.expect("me").path("username").asText()).isEqualTo("webuser");
          webOnB.expectError("You have been signed out of chat because you logged in from another location.");
          webOnB.expect("disconnect");
        }
      }
    }
  }

  @Test
  void oneSendersThousandMessagesArriveInOrderOnEveryInstance() {
    String chat = newChat();
    int count = 1000;
    try (RtchatServer a = instance(chat); RtchatServer b = instance(chat); RtchatServer c = instance(chat);
        WsClient sender = WsClient.login(a.uri(), "sender"); WsClient onB = WsClient.login(b.uri(), "onB");
        WsClient onC = WsClient.login(c.uri(), "onC")) {
      sender.expectWho(n -> n.containsAll(List.of("sender", "onB", "onC")));
      onB.expectWho(n -> n.contains("sender"));
      onC.expectWho(n -> n.contains("sender"));
      long started = System.nanoTime();
      for (int i = 0; i < count; i++) {
        say(sender, "lobby", "seq " + i);
      }
      for (WsClient r : List.of(onB, onC)) {
        List<JsonNode> got = r.awaitReceived(n -> "message".equals(n.path("action").asText())
            && n.path("message").asText().contains("seq "), count);
        List<String> texts = new ArrayList<>();
        long lastId = Long.MIN_VALUE;
        for (JsonNode n : got) {
          texts.add(n.path("message").asText());
          assertThat(n.path("msgID").asLong()).isGreaterThan(lastId);
          lastId = n.path("msgID").asLong();
        }
        for (int i = 0; i < count; i++) {
          assertThat(texts.get(i)).isEqualTo("<p>seq " + i + "</p>");
        }
      }
      System.out.printf("backplane: %d messages through 2 remote instances in %d ms%n", count,
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  @Test
  void usersOfAnInstanceThatDiesWithoutGoodbyeVanishWithinTheKeepAlive() throws Exception {
    String chat = newChat();
    try (TcpProxy proxy = new TcpProxy(broker.port); RtchatServer a = instance(chat);
        RtchatServer doomed = instance(URI.create("mqtt://127.0.0.1:" + proxy.port()), chat, s -> { });
        WsClient watcher = WsClient.login(a.uri(), "watcher");
        WsClient ghost = WsClient.login(doomed.uri(), "ghost")) {
      watcher.expectWho(n -> n.contains("ghost"));
      long cut = System.nanoTime();
      proxy.freeze(); // the instance's broker connection goes silent: no DISCONNECT, no FIN
      // The broker gives up after 1.5 keep-alives (plus its own check interval, several seconds on a
      // loaded machine) and publishes the will, which clears the presence.
      await().atMost(Duration.ofMillis(KEEP_ALIVE * 1500L + 12_000)).pollInterval(Duration.ofMillis(20))
          .until(() -> !watcher.received(n -> "who".equals(n.path("action").asText())).isEmpty()
              && !WsClient.names(last(watcher, "who")).contains("ghost"));
      long ms = (System.nanoTime() - cut) / 1_000_000;
      System.out.printf("backplane: a dead instance's users vanished after %d ms (keep-alive %d s)%n", ms, KEEP_ALIVE);
      assertThat(WsClient.names(last(watcher, "who"))).contains("watcher");
    }
  }

  @Test
  void afterABrokerRestartInstancesReconnectAndResyncPresence() throws Exception {
    try (Mosquitto own = Mosquitto.start()) {
      String chat = newChat();
      try (RtchatServer a = instance(own.uri(), chat, s -> { }); RtchatServer b = instance(own.uri(), chat, s -> { });
          WsClient alice = WsClient.login(a.uri(), "alice"); WsClient bob = WsClient.login(b.uri(), "bob")) {
        alice.expectWho(n -> n.contains("bob"));
        own.restart(); // retained presence is gone with the old broker (persistence false)
        await().atMost(Duration.ofSeconds(15)).until(() -> a.backplane().connectCount() >= 2
            && b.backplane().connectCount() >= 2 && a.backplane().connected() && b.backplane().connected());
        // Somebody logging in on A now sees bob on B: B republished its presence after reconnecting.
        try (WsClient late = WsClient.login(a.uri(), "late")) {
          late.expectWho(n -> n.containsAll(List.of("alice", "bob", "late")));
          bob.expectWho(n -> n.containsAll(List.of("alice", "bob", "late")));
          say(bob, "lobby", "after the restart");
          late.expectMessage("after the restart");
          alice.expectMessage("after the restart");
        }
      }
    }
  }

  private static boolean opFlag(JsonNode who, String name) {
    JsonNode e = WsClient.entry(who, name);
    return e != null && e.path("op").asBoolean();
  }

  private static int video(JsonNode who, String name) {
    JsonNode e = WsClient.entry(who, name);
    return e == null ? -1 : e.path("video").asInt();
  }

  @Test
  void opDeopAndNsfwByAnOpOnOneInstanceChangeAUserOnTheOther() {
    String chat = newChat();
    try (RtchatServer a = instance(broker.uri(), chat, s -> TestServers.jwt(s, false));
        RtchatServer b = instance(broker.uri(), chat, s -> TestServers.jwt(s, false));
        WsClient op = OperatorCommandsTest.op(a, "boss"); WsClient user = WsClient.login(b.uri(), "user");
        WsClient victim = WsClient.login(a.uri(), "victim")) {
      op.expectWho(n -> n.contains("user") && n.contains("victim"));

      long granted = System.nanoTime();
      say(op, "lobby", "/op user");
      op.expectError("Operator rights have been granted to user.");
      user.expectError("You have been granted operator privileges by boss.");
      user.expect("who", w -> opFlag(w, "user"));
      op.expect("who", w -> opFlag(w, "user"));
      // A → B as an event, back in B's presence, which has its own timer: well within the second
      // that the who lists of a large room may wait.
      assertThat(Duration.ofNanos(System.nanoTime() - granted)).isLessThan(Duration.ofSeconds(1));
      say(user, "lobby", "/kick victim"); // the new op's command works on its own instance, on a user of A
      victim.expect("disconnect");

      say(op, "lobby", "/deop user");
      user.expectError("Your operator privileges have been revoked by boss.");
      user.expect("who", w -> WsClient.entry(w, "user") != null && !opFlag(w, "user"));
      op.expect("who", w -> WsClient.entry(w, "user") != null && !opFlag(w, "user"));

      user.send(Map.of("action", "me", "video", 1, "status", "online"));
      op.expect("who", w -> video(w, "user") == 1);
      say(op, "lobby", "/nsfw user");
      op.expectError("user now has their camera marked as Explicit");
      user.expectError("Your camera has been marked as Explicit for you by boss.");
      assertThat(user.expect("me").path("video").asInt()).isEqualTo(3);
      op.expect("who", w -> video(w, "user") == 3);
    }
  }

  @Test
  void adminBlockNowOnOneInstanceBlocksTheUsersOfEveryInstance() throws Exception {
    String key = "backplane-admin-key";
    String chat = newChat();
    try (RtchatServer a = instance(broker.uri(), chat, s -> s.adminApiKey = key);
        RtchatServer b = instance(broker.uri(), chat, s -> s.adminApiKey = key);
        WsClient onA = WsClient.login(a.uri(), "feudA"); WsClient onB = WsClient.login(b.uri(), "feudB");
        WsClient bystander = WsClient.login(b.uri(), "bystander")) {
      onA.expectWho(n -> n.containsAll(List.of("feudA", "feudB", "bystander")));
      onB.expectWho(n -> n.containsAll(List.of("feudA", "feudB", "bystander")));
      Http.Reply r = Http.postJson(a.uri().resolve("/api/block/now"),
          "{\"APIKey\":\"" + key + "\",\"Usernames\":[\"feudA\",\"feudB\"]}");
      assertThat(r.status()).isEqualTo(200);
      assertThat(onA.expect("block").path("username").asText()).isEqualTo("feudB");
      assertThat(onB.expect("block").path("username").asText()).isEqualTo("feudA");
      onA.expectWho(n -> n.contains("bystander") && !n.contains("feudB"));
      onB.expectWho(n -> n.contains("bystander") && !n.contains("feudA"));
      say(onA, "lobby", "can feudB hear me?");
      bystander.expectMessage("can feudB hear me?");
      WsClient.assertNoneMatch(onB, n -> n.path("message").asText().contains("can feudB hear me?"), "a blocked line");
    }
  }

  @Test
  void theWebsitesCachedBlocklistReachesEveryInstance() throws Exception {
    String key = "backplane-admin-key";
    String chat = newChat();
    try (RtchatServer a = instance(broker.uri(), chat, s -> s.adminApiKey = key);
        RtchatServer b = instance(broker.uri(), chat, s -> s.adminApiKey = key)) {
      Http.Reply r = Http.postJson(a.uri().resolve("/api/blocklist"),
          "{\"APIKey\":\"" + key + "\",\"Username\":\"dora\",\"Blocklist\":[\"carol\"]}");
      assertThat(r.status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> b.room().cachedBlocklist("dora").equals(List.of("carol")));
    }
  }

  @Test
  void reactsOnADirectMessageBetweenInstancesReachBothParties() {
    String chat = newChat();
    try (RtchatServer a = instance(chat); RtchatServer b = instance(chat);
        WsClient alice = WsClient.login(a.uri(), "alice"); WsClient bob = WsClient.login(b.uri(), "bob")) {
      alice.expectWho(n -> n.contains("bob"));
      say(alice, "@bob", "a private word");
      long fromAlice = bob.expectMessage("a private word").path("msgID").asLong();
      bob.send(Map.of("action", "react", "msgID", fromAlice, "message", "+1"));
      JsonNode seenByAlice = alice.expect("react");
      assertThat(seenByAlice.path("username").asText()).isEqualTo("bob");
      assertThat(seenByAlice.path("msgID").asLong()).isEqualTo(fromAlice);
      assertThat(bob.expect("react").path("msgID").asLong()).isEqualTo(fromAlice);

      say(bob, "@alice", "a private answer");
      long fromBob = alice.expectMessage("a private answer").path("msgID").asLong();
      alice.send(Map.of("action", "react", "msgID", fromBob, "message", "heart"));
      assertThat(bob.expect("react").path("username").asText()).isEqualTo("alice");
    }
  }

  @Test
  void unmuteAllMakesAnOpUnblockableForTheUsersOfTheOtherInstance() {
    String chat = newChat();
    try (RtchatServer a = instance(broker.uri(), chat, s -> {
          TestServers.jwt(s, false);
          s.blockableAdmins = true;
        });
        RtchatServer b = instance(broker.uri(), chat, s -> s.blockableAdmins = true);
        WsClient op = OperatorCommandsTest.op(a, "boss"); WsClient user = WsClient.login(b.uri(), "user")) {
      user.expectWho(n -> n.contains("boss"));
      op.send(Map.of("action", "mute", "username", "user"));
      user.send(Map.of("action", "block", "username", "boss"));
      user.expectWho(n -> !n.contains("boss"));
      op.expectWho(n -> !n.contains("user"));

      say(op, "lobby", "/unmute-all");
      op.expectError("Your mute on 1 users has been lifted.");
      op.expectWho(n -> n.contains("user"));
      user.expectWho(n -> n.contains("boss"));
      say(op, "lobby", "ops read this");
      user.expectMessage("ops read this");
    }
  }

  private static JsonNode last(WsClient c, String action) {
    List<JsonNode> l = c.received(n -> action.equals(n.path("action").asText()));
    return l.get(l.size() - 1);
  }
}
