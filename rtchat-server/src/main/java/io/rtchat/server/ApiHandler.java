package io.rtchat.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rtchat.server.auth.ChatClaims;
import io.rtchat.server.auth.InvalidTokenException;
import io.rtchat.server.auth.JwtService;
import io.rtchat.server.chat.ChatRoom;
import io.rtchat.server.config.Settings;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code /api/*} (spec §8), {@code /api/health} and {@code /metrics}. */
final class ApiHandler extends Handler.Abstract {
  private static final int MAX_BODY = 1 << 20;

  private final ChatRoom room;
  private final PrometheusMeterRegistry registry;
  private final Runnable shutdown;
  private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** First path segments under /api that this handler serves; extensions may mount any other. */
  private static final Set<String> OWN_SEGMENTS = Set.of("health", "statistics",
      "authenticate", "authentication", "shutdown", "blocklist", "block", "disconnect", "profile",
      "message");

  static boolean isFreeForExtensions(String path) {
    if (!path.startsWith("/api/")) {
      return false;
    }
    String segment = path.substring(5).split("/", 2)[0];
    return !segment.isEmpty() && !OWN_SEGMENTS.contains(segment);
  }

  ApiHandler(ChatRoom room, PrometheusMeterRegistry registry, Runnable shutdown) {
    this.room = room;
    this.registry = registry;
    this.shutdown = shutdown;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    Settings settings = room.settings();
    if (path.equals("/metrics")) {
      HttpSupport.text(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
      return true;
    }
    if (path.equals("/api/health")) {
      Map<String, Object> m = HttpSupport.ok();
      m.put("Status", "UP");
      m.put("Connections", room.connectionCount());
      HttpSupport.json(response, callback, 200, m);
      return true;
    }
    if (path.equals("/api/statistics")) {
      String origin = request.getHeaders().get(HttpHeader.ORIGIN);
      if (origin != null && settings.corsHosts.contains(origin)) {
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        response.getHeaders().put(HttpHeader.VARY, "Origin");
      }
      HttpSupport.json(response, callback, 200, room.statistics());
      return true;
    }
    if (!request.getMethod().equals("POST")) {
      HttpSupport.jsonError(response, callback, 400, "Only POST methods allowed");
      return true;
    }
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      HttpSupport.jsonError(response, callback, 400, "Only application/json content-types allowed");
      return true;
    }
    String body = HttpSupport.body(request, MAX_BODY);
    if (body == null) {
      HttpSupport.jsonError(response, callback, 413, "Request body too large");
      return true;
    }
    JsonNode json;
    try {
      json = ChatRoom.JSON.readTree(body);
      if (json == null || !json.isObject()) {
        throw new IllegalArgumentException("expected a JSON object");
      }
    } catch (Exception e) {
      HttpSupport.jsonError(response, callback, 400, "Invalid JSON: " + e.getMessage());
      return true;
    }
    switch (path) {
      case "/api/authenticate", "/api/authentication" -> {
        if (denied(settings, json, response, callback)) {
          return true;
        }
        JwtService jwt = room.jwt();
        if (jwt == null) {
          HttpSupport.jsonError(response, callback, 400, "JWT authentication is not available.");
          return true;
        }
        JsonNode c = field(json, "Claims");
        String sub = c == null ? "" : text(c, "sub");
        if (sub.isBlank()) {
          HttpSupport.jsonError(response, callback, 400, "Claims.sub is required.");
          return true;
        }
        List<String> rules = new ArrayList<>();
        if (c.has("rules") && c.get("rules").isArray()) {
          c.get("rules").forEach(r -> rules.add(r.asText()));
        }
        ChatClaims claims = new ChatClaims(sub, c.path("op").asBoolean(false), c.path("vip").asBoolean(false),
            blank(text(c, "nick")), blank(text(c, "img")), blank(text(c, "url")), blank(text(c, "emoji")),
            blank(text(c, "gender")), rules, Map.of());
        Map<String, Object> m = HttpSupport.ok();
        m.put("JWT", jwt.sign(claims, Duration.ofMinutes(5)));
        HttpSupport.json(response, callback, 200, m);
      }
      case "/api/shutdown" -> {
        if (denied(settings, json, response, callback)) {
          return true;
        }
        room.shutdownNotice();
        HttpSupport.json(response, callback, 200, HttpSupport.ok());
        shutdown.run();
      }
      case "/api/blocklist" -> {
        if (denied(settings, json, response, callback)) {
          return true;
        }
        String user = text(json, "Username");
        if (user.isBlank()) {
          HttpSupport.jsonError(response, callback, 400, "Username is required.");
          return true;
        }
        room.storeBlocklist(user, strings(json, "Blocklist"));
        HttpSupport.json(response, callback, 200, HttpSupport.ok());
      }
      case "/api/block/now" -> {
        if (denied(settings, json, response, callback)) {
          return true;
        }
        room.blockNow(strings(json, "Usernames"));
        HttpSupport.json(response, callback, 200, HttpSupport.ok());
      }
      case "/api/disconnect/now" -> {
        if (denied(settings, json, response, callback)) {
          return true;
        }
        int removed = room.disconnectNow(strings(json, "Usernames"), text(json, "Message"),
            field(json, "Kick") != null && field(json, "Kick").asBoolean(false));
        Map<String, Object> m = HttpSupport.ok();
        m.put("Removed", removed);
        HttpSupport.json(response, callback, 200, m);
      }
      case "/api/profile", "/api/message/history", "/api/message/usernames", "/api/message/clear" ->
          userApi(path, settings, json, response, callback);
      default -> HttpSupport.jsonError(response, callback, 404, "No such API endpoint.");
    }
    return true;
  }

  private void userApi(String path, Settings settings, JsonNode json, Response response, Callback callback) {
    if (path.equals("/api/message/clear") && !text(json, "APIKey").isEmpty()) {
      if (denied(settings, json, response, callback)) {
        return;
      }
      Map<String, Object> m = HttpSupport.ok();
      m.put("MessagesErased", 0);
      HttpSupport.json(response, callback, 200, m);
      return;
    }
    JwtService jwt = room.jwt();
    if (jwt == null) {
      HttpSupport.jsonError(response, callback, 400, "JWT authentication is not available.");
      return;
    }
    ChatClaims claims;
    try {
      claims = jwt.verify(text(json, "JWTToken"));
    } catch (InvalidTokenException e) {
      HttpSupport.jsonError(response, callback, 400, e.getMessage());
      return;
    }
    switch (path) {
      case "/api/profile" -> profile(settings, text(json, "Username"), response, callback);
      case "/api/message/history" -> {
        if (!room.online(claims.subject())) {
          HttpSupport.jsonError(response, callback, 400, "You are not logged into the chat room.");
        } else {
          HttpSupport.jsonError(response, callback, 500, "database is not initialized");
        }
      }
      case "/api/message/usernames" ->
          HttpSupport.jsonError(response, callback, 500, "you have no direct messages stored on this chat server");
      default -> {
        Map<String, Object> m = HttpSupport.ok();
        m.put("MessagesErased", 0);
        HttpSupport.json(response, callback, 200, m);
      }
    }
  }

  /** Asks the website's profile webhook (spec §8.3) and returns its {@code Data}. */
  private void profile(Settings settings, String username, Response response, Callback callback) {
    Settings.Webhook hook = settings.enabledWebhook("profile");
    if (hook == null) {
      HttpSupport.jsonError(response, callback, 500, "The profile webhook is not enabled.");
      return;
    }
    try {
      Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("Action", "profile");
      body.put("APIKey", settings.adminApiKey);
      body.put("Username", username);
      HttpRequest req = HttpRequest.newBuilder(java.net.URI.create(hook.url))
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(ChatRoom.JSON.writeValueAsBytes(body)))
          .build();
      HttpResponse<String> r = webhookClient.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("the website answered HTTP " + r.statusCode());
      }
      JsonNode data = ChatRoom.JSON.readTree(r.body()).get("Data");
      if (data == null || !data.isObject()) {
        throw new IllegalStateException("the website's answer has no Data object");
      }
      HttpSupport.json(response, callback, 200, data);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      HttpSupport.jsonError(response, callback, 500, "interrupted");
    } catch (Exception e) {
      HttpSupport.jsonError(response, callback, 500, "Couldn't get profile information: " + e.getMessage());
    }
  }

  /** Writes 401 unless APIKey matches a non-empty AdminAPIKey (constant-time; spec §8.5.12). */
  private static boolean denied(Settings settings, JsonNode json, Response response, Callback callback) {
    String given = text(json, "APIKey");
    String want = settings.adminApiKey;
    boolean ok = !want.isEmpty() && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        want.getBytes(StandardCharsets.UTF_8));
    if (!ok) {
      HttpSupport.jsonError(response, callback, 401, "Authentication denied.");
    }
    return !ok;
  }

  /** Case-insensitive key lookup, as Go's decoder does. */
  private static JsonNode field(JsonNode obj, String key) {
    if (obj == null || !obj.isObject()) {
      return null;
    }
    JsonNode exact = obj.get(key);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, JsonNode> e : obj.properties()) {
      if (e.getKey().equalsIgnoreCase(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String text(JsonNode obj, String key) {
    JsonNode n = field(obj, key);
    return n == null || n.isNull() || !n.isValueNode() ? "" : n.asText();
  }

  private static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static List<String> strings(JsonNode obj, String key) {
    List<String> out = new ArrayList<>();
    JsonNode n = field(obj, key);
    if (n != null && n.isArray()) {
      n.forEach(x -> {
        if (x.isTextual() && !x.asText().isBlank()) {
          out.add(x.asText());
        }
      });
    }
    return out;
  }
}
