package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Spec §3 and §5: JWT login, strict mode, token refresh and page rules. */
class JwtAuthTest {
  static RtchatServer strict;
  static RtchatServer lenient;
  static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() {
    strict = TestServers.start(s -> {
      TestServers.jwt(s, true);
      s.jwt.landingPageUrl = "https://www.example.com/login";
      s.limits.pingIntervalSeconds = 1;
    });
    lenient = TestServers.start(s -> TestServers.jwt(s, false));
  }

  @AfterAll
  static void stop() {
    strict.close();
    lenient.close();
  }

  static Object[][] badTokens() {
    return new Object[][] {
        {"expired", Tokens.expired("mallory"), "token has expired"},
        {"wrong key", Tokens.valid("another-secret-that-is-long-enough-32b", "mallory", Map.of()), "signature does not match"},
        {"alg none", Tokens.algNone("mallory"), "unsigned or unsupported"},
        {"malformed", "not.a.jwt", "malformed"},
        {"garbage", "%%%", "malformed"},
        {"HS512", Tokens.hs512("mallory"), "only HS256"},
        {"no exp", Tokens.noExpiry("mallory"), "exp claim required"},
    };
  }

  @ParameterizedTest(name = "a {0} token is rejected with a clear reason and no login")
  @MethodSource("badTokens")
  void badTokensAreRejectedWithAClearReason(String kind, String token, String reason) {
    try (WsClient c = WsClient.connect(strict.uri())) {
      c.send(Map.of("action", "login", "username", "mallory", "jwt", token));
      JsonNode err = c.expectError("Your authentication has expired. Please go back and launch the chat room again.");
      assertThat(err.path("message").asText()).contains(reason);
      c.send(Map.of("action", "message", "channel", "lobby", "message", "sneaky"));
      c.expectError("You must log in first.");
      assertThat(c.received(n -> n.path("action").asText().equals("me"))).isEmpty();
    }
  }

  @Test
  void aValidTokenLogsInAsItsSubjectWithItsClaimsInTheWhoList() {
    Map<String, Object> claims = new HashMap<>();
    claims.put("op", true);
    claims.put("vip", true);
    claims.put("nick", "Alice A.");
    claims.put("img", "/p/alice.jpg");
    claims.put("url", "/u/alice");
    claims.put("emoji", "*");
    claims.put("gender", "f");
    try (WsClient c = WsClient.connect(strict.uri())) {
      c.send(Map.of("action", "login", "username", "ignored", "jwt", Tokens.valid("alice", claims)));
      assertThat(c.expect("me").path("username").asText()).isEqualTo("alice");
      JsonNode who = c.expectWho(n -> n.contains("alice"));
      JsonNode e = WsClient.entry(who, "alice");
      assertThat(e.path("op").asBoolean()).isTrue();
      assertThat(e.path("vip").asBoolean()).isTrue();
      assertThat(e.path("nickname").asText()).isEqualTo("Alice A.");
      assertThat(e.path("avatar").asText()).isEqualTo("/p/alice.jpg");
      assertThat(e.path("profileURL").asText()).isEqualTo("/u/alice");
      assertThat(e.path("emoji").asText()).isEqualTo("*");
      assertThat(e.path("gender").asText()).isEqualTo("f");
    }
  }

  @Test
  void strictModeWithoutATokenRefusesTheLogin() {
    try (WsClient c = WsClient.connect(strict.uri())) {
      c.send(Map.of("action", "login", "username", "guest"));
      c.expectError("Server side authentication is required.");
      assertThat(c.received(n -> n.path("action").asText().equals("me"))).isEmpty();
    }
  }

  @Test
  void nonStrictModeLetsGuestsInAndStillRejectsBadTokens() {
    try (WsClient guest = WsClient.login(lenient.uri(), "casual"); WsClient bad = WsClient.connect(lenient.uri())) {
      assertThat(guest.name).isEqualTo("casual");
      bad.send(Map.of("action", "login", "username", "x", "jwt", Tokens.algNone("x")));
      bad.expectError("Your authentication has expired");
    }
  }

  @Test
  void aGuestCannotTakeTheNameOfAWebsiteUserEvenAfterTheyLeft() {
    try (WsClient member = WsClient.connect(lenient.uri())) {
      member.send(Map.of("action", "login", "jwt", Tokens.valid("member", Map.of())));
      member.expect("me");
    }
    try (WsClient guest = WsClient.login(lenient.uri(), "member")) {
      assertThat(guest.name).isEqualTo("member 2");
    }
  }

  @Test
  void vipChannelLinesAreNeitherDeliveredNorEchoedToNonVips() {
    try (RtchatServer vipServer = TestServers.start(s -> {
          TestServers.jwt(s, false);
          TestServers.threeChannels(s);
          s.publicChannels.get(2).echoMessagesOnJoin = 10;
        });
        WsClient vip = WsClient.connect(vipServer.uri()); WsClient plain = WsClient.login(vipServer.uri(), "plainJoe")) {
      vip.send(Map.of("action", "login", "jwt", Tokens.valid("vipper", Map.of("vip", true))));
      vip.expect("me");
      vip.send(Map.of("action", "message", "channel", "vip", "message", "velvet rope"));
      vip.expectMessage("velvet rope");
      plain.sync();
      assertThat(plain.received(n -> n.toString().contains("velvet rope"))).isEmpty();
      try (WsClient late = WsClient.connect(vipServer.uri()); WsClient lateVip = WsClient.connect(vipServer.uri())) {
        late.send(Map.of("action", "login", "username", "latePlain"));
        assertThat(late.expect("echo").toString()).doesNotContain("velvet rope");
        lateVip.send(Map.of("action", "login", "jwt", Tokens.valid("lateVip", Map.of("vip", true))));
        assertThat(lateVip.expect("echo").toString()).contains("velvet rope");
      }
    }
  }

  @Test
  void tokensAreIgnoredWhenJwtIsDisabledSoNobodyCanForgeOp() {
    try (RtchatServer off = TestServers.start(s -> { }); WsClient c = WsClient.connect(off.uri())) {
      c.send(Map.of("action", "login", "username", "forger", "jwt", Tokens.algNone("admin")));
      assertThat(c.expect("me").path("username").asText()).isEqualTo("forger");
      JsonNode who = c.expectWho(n -> n.contains("forger"));
      assertThat(WsClient.entry(who, "forger").path("op").asBoolean()).isFalse();
    }
  }

  @Test
  void aSecondJwtLoginEvictsTheOldSessionWithoutAnExitPresence() {
    try (WsClient first = WsClient.connect(strict.uri()); WsClient watcher = WsClient.connect(strict.uri())) {
      watcher.send(Map.of("action", "login", "jwt", Tokens.valid("watcher", Map.of())));
      watcher.expect("me");
      first.send(Map.of("action", "login", "jwt", Tokens.valid("roamer", Map.of())));
      first.expect("me");
      try (WsClient second = WsClient.connect(strict.uri())) {
        second.send(Map.of("action", "login", "jwt", Tokens.valid("roamer", Map.of())));
        assertThat(second.expect("me").path("username").asText()).isEqualTo("roamer");
        first.expectError("You have been signed out of chat because you logged in from another location.");
        first.expect("disconnect");
        watcher.expect("presence", n -> n.path("username").asText().equals("roamer")
            && n.path("message").asText().equals("has joined the room!")
            && watcher.received(x -> x.path("action").asText().equals("presence")
                && x.path("username").asText().equals("roamer")).size() >= 2);
        assertThat(watcher.received(n -> n.path("action").asText().equals("presence")
            && n.path("message").asText().contains("exited"))).isEmpty();
      }
    }
  }

  @Test
  void signedInUsersGetPingsWithAFreshFiveMinuteTokenCarryingTheSameClaims() {
    try (WsClient c = WsClient.connect(strict.uri())) {
      c.send(Map.of("action", "login", "jwt", Tokens.valid("pinged", Map.of("vip", true, "iss", "example"))));
      c.expect("me");
      JsonNode ping = c.expect("ping", n -> n.has("jwt"));
      Claims claims = Jwts.parser()
          .verifyWith(Keys.hmacShaKeyFor(TestServers.SECRET.getBytes(StandardCharsets.UTF_8))).build()
          .parseSignedClaims(ping.path("jwt").asText()).getPayload();
      assertThat(claims.getSubject()).isEqualTo("pinged");
      assertThat(claims.get("vip", Boolean.class)).isTrue();
      assertThat(claims.getIssuer()).isEqualTo("example");
      long ttl = claims.getExpiration().toInstant().getEpochSecond() - Instant.now().getEpochSecond();
      assertThat(ttl).isBetween(240L, 301L);
    }
  }

  @Test
  void guestsGetPingsWithoutAToken() {
    try (WsClient c = WsClient.connect(strict.uri())) {
      JsonNode ping = c.expect("ping");
      assertThat(ping.has("jwt")).isFalse();
    }
  }

  @Test
  void thePageRejectsABadTokenWith403() throws Exception {
    HttpResponse<String> r = get(strict.uri().resolve("/?jwt=" + Tokens.algNone("x")));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).startsWith("Error parsing your JWT token:");
  }

  @Test
  void thePageRedirectsToTheLandingPageInStrictModeWithoutAToken() throws Exception {
    HttpResponse<String> r = get(strict.uri().resolve("/"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).hasValue("https://www.example.com/login");
  }

  @Test
  void thePageWithAValidTokenBootsWithTheTokenAndClaims() throws Exception {
    String token = Tokens.valid("pageuser", Map.of("nick", "</script><b>"));
    HttpResponse<String> r = get(strict.uri().resolve("/?jwt=" + token));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("window.RTCHAT_BOOT = ").contains(token).contains("\"jwtValid\":true")
        .doesNotContain("</script><b>").contains("\\u003c/script\\u003e");
  }

  @Test
  void thePageAcceptsTheTokenAsAPostedFormField() throws Exception {
    String token = Tokens.valid("formuser", Map.of());
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(strict.uri().resolve("/"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("jwt=" + token)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains(token);
  }

  @Test
  void theServerRefusesToStartWithJwtEnabledAndAShortSecret() {
    RtchatServer weak = RtchatServer.builder().settings(settingsWithSecret("short")).port(0).build();
    assertThatThrownBy(weak::start).hasMessageContaining("JWT.SecretKey").hasMessageContaining("at least 32 bytes");
    weak.close();
  }

  private static io.rtchat.server.config.Settings settingsWithSecret(String secret) {
    io.rtchat.server.config.Settings s = io.rtchat.server.config.SettingsLoader.defaults();
    s.jwt.enabled = true;
    s.jwt.secretKey = secret;
    return s;
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
