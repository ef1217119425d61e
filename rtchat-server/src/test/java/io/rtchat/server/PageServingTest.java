package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The built-in page's boot object and the WebRoot drop-in mode (spec §9). */
class PageServingTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  static Path fixture() throws Exception {
    return Path.of(PageServingTest.class.getResource("/webroot-fixture/index.html").toURI()).getParent();
  }

  @Test
  void theBuiltInPageGetsABootObjectSafeForAScriptContext() throws Exception {
    try (RtchatServer server = TestServers.start(s -> {
      s.title = "Tom & Jerry </script><script>alert(1)</script>";
      s.branding = "<b>Brand</b>\u2028";
    })) {
      HttpResponse<String> r = get(server.uri().resolve("/"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
      String body = r.body();
      assertThat(body).doesNotContain(PageHandler.BOOT_MARKER).doesNotContain("</script><script>alert(1)");
      Matcher m = Pattern.compile("window\\.RTCHAT_BOOT = (.*?);</script>", Pattern.DOTALL).matcher(body);
      assertThat(m.find()).isTrue();
      assertThat(m.group(1)).doesNotContain("<").doesNotContain(">").doesNotContain("&").doesNotContain("\u2028");
      JsonNode boot = WsClient.JSON.readTree(m.group(1));
      assertThat(boot.path("title").asText()).isEqualTo("Tom & Jerry </script><script>alert(1)</script>");
      assertThat(boot.path("branding").asText()).isEqualTo("<b>Brand</b>\u2028");
      assertThat(boot.path("jwt").isNull()).isTrue();
      assertThat(boot.path("channels").get(0).path("ID").asText()).isEqualTo("lobby");
      assertThat(boot.path("turn").path("URLs").isArray()).isTrue();
      assertThat(boot.path("cachedBlocklist").isArray()).isTrue();
      assertThat(boot.path("webSocketPath").asText()).isEqualTo("/ws");
      assertThat(boot.path("jwtEnabled").asBoolean(true)).isFalse();
      assertThat(boot.path("jwtStrict").asBoolean(true)).isFalse();
    }
  }

  @Test
  void unknownPathsServeThePageAsBareRtcDoes() throws Exception {
    try (RtchatServer server = TestServers.start()) {
      assertThat(get(server.uri().resolve("/some/deep/link")).body()).contains("window.RTCHAT_BOOT");
      assertThat(get(server.uri().resolve("/about")).body()).contains("BareRTC-compatible");
      assertThat(get(server.uri().resolve("/logout")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void webRootServesTheOperatorsBuildWithEveryPlaceholderFilledWithSafeLiterals() throws Exception {
    try (RtchatServer server = TestServers.start(s -> {
      s.webRoot = fixtureString();
      s.title = "Tom & \"Jerry\" <Chat>";
      s.branding = "<b>Br</b></script>";
      s.websiteUrl = "https://example.com/x";
      s.turn.urls = List.of();
      s.permitNsfw = true;
      s.webhookUrls.get(0).url = "https://secret.example/hook";
      s.webhookUrls.get(0).enabled = true;
    })) {
      HttpResponse<String> r = get(server.uri().resolve("/"));
      assertThat(r.statusCode()).isEqualTo(200);
      String html = r.body();
      assertThat(html).doesNotContain("{{").doesNotContain("}}").doesNotContain("define \"index\"")
          .startsWith("<!DOCTYPE html>").doesNotContain("secret.example");
      assertThat(html).contains("<title>Tom &amp; &#34;Jerry&#34; &lt;Chat&gt;</title>");
      Matcher hash = Pattern.compile("chat\\.css\\?([a-z]{8})\"").matcher(html);
      assertThat(hash.find()).isTrue();
      assertThat(html).contains("bulma.min.css?" + hash.group(1) + "\"");
      Map<String, JsonNode> js = constants(html);
      assertThat(js).hasSize(15);
      assertThat(js.get("CacheHash").asText()).isEqualTo(hash.group(1));
      assertThat(js.get("Branding").asText()).isEqualTo("<b>Br</b></script>");
      assertThat(html).contains("const WebsiteURL = \"https:\\/\\/example.com\\/x\";");
      assertThat(js.get("WebsiteURL").asText()).isEqualTo("https://example.com/x");
      assertThat(js.get("PermitNSFW").asBoolean()).isTrue();
      assertThat(js.get("TURN").path("URLs").isArray()).isTrue();
      assertThat(js.get("TURN").path("URLs").size()).isZero();
      assertThat(js.get("PublicChannels").get(0).fieldNames()).toIterable()
          .containsExactly("ID", "Name", "Icon", "VIP", "PermitPhotos", "WelcomeMessages", "EchoMessagesOnJoin");
      assertThat(js.get("WebhookURLs").get(0).path("Name").asText()).isEqualTo("report");
      assertThat(js.get("WebhookURLs").get(0).path("Enabled").asBoolean()).isTrue();
      assertThat(js.get("WebhookURLs").get(0).path("URL").asText()).isEmpty();
      assertThat(js.get("VIP").fieldNames()).toIterable().containsExactly("Name", "Branding", "Icon", "MutuallySecret");
      assertThat(js.get("ModRuleErrors").fieldNames()).toIterable().containsExactlyInAnyOrder(
          "ModRuleErrorCameraAlwaysNSFW", "ModRuleErrorNoBroadcast", "ModRuleErrorNoVideo", "ModRuleErrorNoImage");
      assertThat(js.get("UserJWTToken").asText()).isEmpty();
      assertThat(js.get("UserJWTValid").asBoolean()).isFalse();
      assertThat(js.get("UserJWTClaims").size()).isZero();
      assertThat(js.get("UserJWTRules").fieldNames()).toIterable().containsExactlyInAnyOrder(
          "IsNoBroadcastRule", "IsNoDarkVideoRule", "IsNoImageRule", "IsNoVideoRule", "IsRedCamRule");
      assertThat(js.get("CachedBlocklist").isArray()).isTrue();
      assertThat(js.get("DMDisclaimer").isTextual()).isTrue();
      assertThat(html).contains("function setModalImage(url)");
    }
  }

  @Test
  void webRootWithAValidTokenFillsTheClaimsRulesAndCachedBlocklist() throws Exception {
    try (RtchatServer server = TestServers.start(s -> {
      s.webRoot = fixtureString();
      TestServers.jwt(s, true);
      s.adminApiKey = "admin-key";
    })) {
      HttpResponse<String> stored = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/api/blocklist"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"APIKey\":\"admin-key\",\"Username\":\"dora\",\"Blocklist\":[\"carol\"]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(stored.statusCode()).isEqualTo(200);
      Map<String, Object> claims = new HashMap<>();
      claims.put("nick", "Dora");
      claims.put("rules", List.of("novideo", "redcam"));
      String token = Tokens.valid("dora", claims);
      Map<String, JsonNode> js = constants(get(server.uri().resolve("/?jwt=" + token)).body());
      assertThat(js.get("UserJWTToken").asText()).isEqualTo(token);
      assertThat(js.get("UserJWTValid").asBoolean()).isTrue();
      assertThat(js.get("UserJWTClaims").path("sub").asText()).isEqualTo("dora");
      assertThat(js.get("UserJWTClaims").path("nick").asText()).isEqualTo("Dora");
      assertThat(js.get("UserJWTRules").path("IsNoVideoRule").asBoolean()).isTrue();
      assertThat(js.get("UserJWTRules").path("IsNoBroadcastRule").asBoolean()).isTrue();
      assertThat(js.get("UserJWTRules").path("IsRedCamRule").asBoolean()).isTrue();
      assertThat(js.get("UserJWTRules").path("IsNoImageRule").asBoolean()).isFalse();
      assertThat(js.get("CachedBlocklist").get(0).asText()).isEqualTo("carol");
    }
  }

  @Test
  void webRootAssetsAreServedAsFilesWithoutListingsOrTraversal() throws Exception {
    try (RtchatServer server = TestServers.start(s -> s.webRoot = fixtureString())) {
      HttpResponse<String> js = get(server.uri().resolve("/assets/index-abc123.js?v=42"));
      assertThat(js.statusCode()).isEqualTo(200);
      assertThat(js.body()).contains("fixture app");
      assertThat(js.headers().firstValue("Content-Type").orElse("")).contains("javascript");
      assertThat(get(server.uri().resolve("/static/css/chat.css")).body()).contains(".chat");
      assertThat(get(server.uri().resolve("/favicon.ico")).statusCode()).isEqualTo(200);
      assertThat(get(server.uri().resolve("/static/css/")).statusCode()).isEqualTo(404);
      assertThat(get(server.uri().resolve("/static/css/nope.css")).statusCode()).isEqualTo(404);
      HttpResponse<String> traversal = get(URI.create(server.uri() + "/static/%2e%2e/%2e%2e/index.html"));
      assertThat(traversal.body()).doesNotContain("{{define");
    }
  }

  private static String fixtureString() {
    try {
      return fixture().toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses every {@code const X = <json>;} line of the page's script as JSON. */
  static Map<String, JsonNode> constants(String html) throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    Matcher m = Pattern.compile("(?m)^const (\\w+) = (.*);$").matcher(html);
    while (m.find()) {
      out.put(m.group(1), WsClient.JSON.readTree(m.group(2)));
    }
    return out;
  }
}
