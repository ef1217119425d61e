package io.rtchat.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtchat.server.chat.ChatMetrics;
import io.rtchat.server.chat.ChatRoom;
import io.rtchat.server.chat.Message;
import io.rtchat.server.chat.Outbound;
import io.rtchat.server.chat.Sub;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /poll}, the short-polling fallback (spec §8.4). A failed session check touches nothing
 * (fix for §8.5.2: BareRTC deleted the victim's connection); sessions exist only for polling subs
 * and are compared in constant time.
 */
final class PollHandler extends Handler.Abstract {
  static final long EXPIRY_NANOS = 60_000_000_000L;
  private static final int MAX_BODY = 48 << 20;

  private final ChatRoom room;
  private final ChatMetrics metrics;
  private final int capacity;
  private final Map<String, PollSession> sessions = new ConcurrentHashMap<>();

  PollHandler(ChatRoom room, ChatMetrics metrics, int capacity) {
    this.room = room;
    this.metrics = metrics;
    this.capacity = capacity;
  }

  /** One polling client's queue. */
  static final class PollSession implements Outbound {
    final String id = UUID.randomUUID().toString();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final int capacity;
    volatile Sub sub;
    volatile long lastSeen = System.nanoTime();
    volatile boolean dead;

    PollSession(int capacity) {
      this.capacity = capacity;
    }

    @Override
    public synchronized boolean offer(String json) {
      if (dead) {
        return true;
      }
      if (queue.size() >= capacity) {
        dead = true;
        queue.clear();
        return false;
      }
      queue.add(json);
      return true;
    }

    @Override
    public synchronized void close(int code, String reason) {
      dead = true;
    }

    @Override
    public boolean polling() {
      return true;
    }

    synchronized List<JsonNode> drain() {
      List<JsonNode> out = new ArrayList<>(queue.size());
      for (String s : queue) {
        try {
          out.add(ChatRoom.JSON.readTree(s));
        } catch (Exception e) {
          // our own JSON; cannot happen
        }
      }
      queue.clear();
      return out;
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
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
    String username;
    String sessionId;
    Message msg;
    try {
      JsonNode req = ChatRoom.JSON.readTree(body);
      if (req == null || !req.isObject()) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      username = req.path("username").asText("");
      sessionId = req.path("session_id").asText("");
      JsonNode m = req.get("msg");
      msg = m == null || m.isNull() ? null : ChatRoom.JSON.treeToValue(m, Message.class);
    } catch (Exception e) {
      HttpSupport.jsonError(response, callback, 400, "Invalid JSON: " + e.getMessage());
      return true;
    }
    String ip = Request.getRemoteAddr(request);
    if (sessionId.isEmpty()) {
      if (msg == null || !"login".equals(msg.action)) {
        reply(response, callback, 400, "", "", List.of(errorNode("Not logged in.")));
        return true;
      }
      PollSession ps = new PollSession(capacity);
      Sub sub = room.connect(ps, ip);
      ps.sub = sub;
      room.onMessage(sub, msg);
      if (sub.authenticated()) {
        sessions.put(ps.id, ps);
        reply(response, callback, 200, sub.name(), ps.id, ps.drain());
      } else {
        List<JsonNode> errors = ps.drain();
        room.disconnected(sub);
        reply(response, callback, 200, "", "", errors);
      }
      return true;
    }
    PollSession ps = find(username, sessionId);
    if (ps == null) {
      List<JsonNode> out = new ArrayList<>();
      out.add(errorNode("Your authentication has expired, please log back into the chat again."));
      out.add(ChatRoom.JSON.createObjectNode().put("action", "disconnect"));
      reply(response, callback, 400, "", "", out);
      return true;
    }
    ps.lastSeen = System.nanoTime();
    if (msg != null) {
      room.onMessage(ps.sub, msg);
    }
    List<JsonNode> out = ps.drain();
    if (!ps.sub.authenticated() || ps.dead) {
      sessions.remove(ps.id);
      room.disconnected(ps.sub);
    }
    reply(response, callback, 200, ps.sub.name().isEmpty() ? username : ps.sub.name(), ps.id, out);
    return true;
  }

  /** Constant-time match of both the session id and the name. */
  private PollSession find(String username, String sessionId) {
    byte[] want = sessionId.getBytes(StandardCharsets.UTF_8);
    PollSession found = null;
    for (PollSession ps : sessions.values()) {
      boolean idOk = MessageDigest.isEqual(ps.id.getBytes(StandardCharsets.UTF_8), want);
      if (idOk && !ps.dead && ps.sub.authenticated() && ps.sub.name().equals(username)) {
        found = ps;
      }
    }
    return found;
  }

  /** Removes sessions unseen for 60 s ("has timed out!") or dropped for overflow. */
  void sweep() {
    long now = System.nanoTime();
    for (PollSession ps : List.copyOf(sessions.values())) {
      if (ps.dead || now - ps.lastSeen > EXPIRY_NANOS) {
        sessions.remove(ps.id);
        room.timedOut(ps.sub, !ps.dead);
      }
    }
  }

  private static JsonNode errorNode(String text) {
    return ChatRoom.JSON.createObjectNode().put("action", "error").put("username", "ChatServer").put("message", text);
  }

  private void reply(Response response, Callback callback, int status, String username, String sessionId,
      List<JsonNode> messages) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("username", username);
    m.put("session_id", sessionId);
    m.put("messages", messages);
    HttpSupport.json(response, callback, status, m);
  }
}
