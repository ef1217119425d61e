package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §8: /api/* with API-key auth, /api/health and /metrics. */
class AdminApiTest {
  static final String KEY = "test-admin-key";
  static RtchatServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(s -> {
      TestServers.jwt(s, false);
      s.adminApiKey = KEY;
      s.corsHosts = java.util.List.of("https://www.example.com");
    });
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void statisticsListsVisibleUsersAndCamerasAndEchoesAllowedOrigins() throws Exception {
    try (WsClient a = WsClient.login(server.uri(), "statA"); WsClient b = WsClient.login(server.uri(), "statB")) {
      a.send(Map.of("action", "me", "video", 1));
      b.send(Map.of("action", "me", "video", 3));
      b.expect("who", n -> WsClient.entry(n, "statA") != null && WsClient.entry(n, "statA").path("video").asInt() == 1
          && WsClient.entry(n, "statB").path("video").asInt() == 3);
      Http.Reply r = Http.send(HttpRequest.newBuilder(server.uri().resolve("/api/statistics"))
          .header("Origin", "https://www.example.com").build());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().path("UserCount").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(r.json().path("Usernames").toString()).contains("statA", "statB");
      assertThat(r.json().path("Cameras").path("Blue").asInt()).isGreaterThanOrEqualTo(1);
      assertThat(r.json().path("Cameras").path("Red").asInt()).isGreaterThanOrEqualTo(1);
      assertThat(r.raw().headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://www.example.com");
      Http.Reply foreign = Http.send(HttpRequest.newBuilder(server.uri().resolve("/api/statistics"))
          .header("Origin", "https://evil.example").build());
      assertThat(foreign.raw().headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
  }

  @Test
  void adminEndpointsDemandPostJsonAndTheKey() throws Exception {
    Http.Reply get = Http.send(HttpRequest.newBuilder(server.uri().resolve("/api/authenticate")).build());
    assertThat(get.status()).isEqualTo(400);
    assertThat(get.json().path("Error").asText()).isEqualTo("Only POST methods allowed");
    Http.Reply form = Http.send(HttpRequest.newBuilder(server.uri().resolve("/api/authenticate"))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertThat(form.json().path("Error").asText()).isEqualTo("Only application/json content-types allowed");
    Http.Reply bad = Http.postJson(server.uri().resolve("/api/authenticate"), "{not json");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("OK").asBoolean(true)).isFalse();
    Http.Reply wrong = Http.postJson(server.uri().resolve("/api/authenticate"), "{\"APIKey\":\"nope\",\"Claims\":{\"sub\":\"x\"}}");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().path("Error").asText()).isEqualTo("Authentication denied.");
  }

  @Test
  void anEmptyAdminKeyDisablesTheAdminApi() throws Exception {
    try (RtchatServer open = TestServers.start(s -> s.adminApiKey = "")) {
      Http.Reply r = Http.postJson(open.uri().resolve("/api/block/now"), "{\"APIKey\":\"\",\"Usernames\":[]}");
      assertThat(r.status()).isEqualTo(401);
    }
  }

  @Test
  void authenticateSignsAFiveMinuteTokenWithTheGivenClaims() throws Exception {
    Http.Reply r = Http.postJson(server.uri().resolve("/api/authenticate"),
        "{\"APIKey\":\"" + KEY + "\",\"Claims\":{\"sub\":\"bot\",\"op\":true,\"nick\":\"Bot\"}}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("OK").asBoolean()).isTrue();
    Claims c = Jwts.parser().verifyWith(Keys.hmacShaKeyFor(TestServers.SECRET.getBytes(StandardCharsets.UTF_8))).build()
        .parseSignedClaims(r.json().path("JWT").asText()).getPayload();
    assertThat(c.getSubject()).isEqualTo("bot");
    assertThat(c.get("op", Boolean.class)).isTrue();
    assertThat(c.get("nick", String.class)).isEqualTo("Bot");
    try (WsClient bot = WsClient.connect(server.uri())) {
      bot.send(Map.of("action", "login", "jwt", r.json().path("JWT").asText()));
      assertThat(bot.expect("me").path("username").asText()).isEqualTo("bot");
    }
  }

  @Test
  void blockNowMakesTheListedUsersBlockEachOther() throws Exception {
    try (WsClient a = WsClient.login(server.uri(), "feudA"); WsClient b = WsClient.login(server.uri(), "feudB")) {
      Http.Reply r = Http.postJson(server.uri().resolve("/api/block/now"),
          "{\"APIKey\":\"" + KEY + "\",\"Usernames\":[\"feudA\",\"feudB\"]}");
      assertThat(r.status()).isEqualTo(200);
      assertThat(a.expect("block").path("username").asText()).isEqualTo("feudB");
      assertThat(b.expect("block").path("username").asText()).isEqualTo("feudA");
      a.expectWho(names -> names.contains("feudA") && !names.contains("feudB"));
    }
  }

  @Test
  void disconnectNowRemovesUsersWithANoticeAndReportsTheCount() throws Exception {
    try (WsClient a = WsClient.login(server.uri(), "goner"); WsClient w = WsClient.login(server.uri(), "onlooker")) {
      Http.Reply r = Http.postJson(server.uri().resolve("/api/disconnect/now"),
          "{\"APIKey\":\"" + KEY + "\",\"Usernames\":[\"goner\",\"nobody\"],\"Message\":\"Bye <now>\",\"Kick\":true}");
      assertThat(r.json().path("Removed").asInt()).isEqualTo(1);
      assertThat(a.expectError("Bye &lt;now&gt;")).isNotNull();
      a.expect("disconnect");
      w.expect("presence", n -> n.path("username").asText().equals("goner")
          && n.path("message").asText().equals("has been kicked from the room!"));
      w.expectWho(names -> !names.contains("goner"));
    }
  }

  @Test
  void userApisNeedAValidTokenAndReportThatNothingIsStored() throws Exception {
    Http.Reply noToken = Http.postJson(server.uri().resolve("/api/message/history"), "{\"JWTToken\":\"junk\"}");
    assertThat(noToken.status()).isEqualTo(400);
    assertThat(noToken.json().path("Error").asText()).contains("malformed");
    String token = Tokens.valid("historian", Map.of());
    Http.Reply offline = Http.postJson(server.uri().resolve("/api/message/history"),
        "{\"JWTToken\":\"" + token + "\",\"Username\":\"bob\"}");
    assertThat(offline.json().path("Error").asText()).isEqualTo("You are not logged into the chat room.");
    Http.Reply clear = Http.postJson(server.uri().resolve("/api/message/clear"), "{\"JWTToken\":\"" + token + "\"}");
    assertThat(clear.json().path("MessagesErased").asInt()).isZero();
    try (RtchatServer nojwt = TestServers.start()) {
      Http.Reply r = Http.postJson(nojwt.uri().resolve("/api/profile"), "{\"JWTToken\":\"x\",\"Username\":\"bob\"}");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().path("Error").asText()).isEqualTo("JWT authentication is not available.");
    }
  }

  @Test
  void profileAsksTheWebsitesWebhookAndReturnsItsData() throws Exception {
    com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.LinkedBlockingQueue<String> asked = new java.util.concurrent.LinkedBlockingQueue<>();
    hook.createContext("/profile", ex -> {
      asked.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] reply = "{\"StatusCode\":200,\"Data\":{\"OK\":true,\"ProfileFields\":[{\"Name\":\"Age\",\"Value\":\"30\"}]}}"
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, reply.length);
      ex.getResponseBody().write(reply);
      ex.close();
    });
    hook.start();
    try (RtchatServer own = TestServers.start(s -> {
      TestServers.jwt(s, false);
      s.adminApiKey = KEY;
      s.webhookUrls.get(1).enabled = true;
      s.webhookUrls.get(1).url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/profile";
    })) {
      Http.Reply r = Http.postJson(own.uri().resolve("/api/profile"),
          "{\"JWTToken\":\"" + Tokens.valid("asker", Map.of()) + "\",\"Username\":\"bob\"}");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().path("ProfileFields").get(0).path("Value").asText()).isEqualTo("30");
      com.fasterxml.jackson.databind.JsonNode sent = WsClient.JSON.readTree(asked.poll(5, TimeUnit.SECONDS));
      assertThat(sent.path("Action").asText()).isEqualTo("profile");
      assertThat(sent.path("Username").asText()).isEqualTo("bob");
      assertThat(sent.path("APIKey").asText()).isEqualTo(KEY);
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void healthAndMetricsAreServed() throws Exception {
    try (WsClient a = WsClient.login(server.uri(), "metered")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "count me"));
      a.expectMessage("count me");
      Http.Reply health = Http.send(HttpRequest.newBuilder(server.uri().resolve("/api/health")).build());
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().path("Status").asText()).isEqualTo("UP");
      String metrics = Http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).build()).raw().body();
      assertThat(metrics).contains("rtchat_connections", "rtchat_messages_in_total", "rtchat_messages_out_total",
          "rtchat_messages_dropped_total", "rtchat_queue_overflows_total");
    }
  }

  @Test
  void shutdownAnswersOkNotifiesUsersAndStopsTheServer() throws Exception {
    RtchatServer own = TestServers.start(s -> s.adminApiKey = KEY);
    try (WsClient u = WsClient.login(own.uri(), "lastOne")) {
      Http.Reply r = Http.postJson(own.uri().resolve("/api/shutdown"), "{\"APIKey\":\"" + KEY + "\"}");
      assertThat(r.json().path("OK").asBoolean()).isTrue();
      u.expectError("The chat server is going down for a reboot NOW!");
      assertThat(u.awaitClose()).isEqualTo(1001);
      own.stopped().get(10, TimeUnit.SECONDS);
    } finally {
      own.close();
    }
  }
}
