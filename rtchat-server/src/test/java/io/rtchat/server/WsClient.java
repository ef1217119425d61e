package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test WebSocket client (java.net.http) that records every JSON frame it receives. */
final class WsClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final WebSocket ws;
  private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
  /** Every frame ever received, in order. */
  final List<JsonNode> all = java.util.Collections.synchronizedList(new ArrayList<>());
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  final CompletableFuture<String> closeReason = new CompletableFuture<>();
  String name;

  private WsClient(URI uri, String origin, boolean reading) {
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
    if (origin != null) {
      b.header("Origin", origin);
    }
    ws = b.buildAsync(uri, new Listener(reading)).orTimeout(10, TimeUnit.SECONDS).join();
  }

  static WsClient connect(URI base) {
    return new WsClient(wsUri(base), null, true);
  }

  /** A client that never reads anything the server sends. */
  static WsClient connectNonReading(URI base) {
    return new WsClient(wsUri(base), null, false);
  }

  static WsClient connectWithOrigin(URI base, String origin) {
    return new WsClient(wsUri(base), origin, true);
  }

  static URI wsUri(URI base) {
    return URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws");
  }

  /** Connects and logs in as a guest; returns after the {@code me} reply. */
  static WsClient login(URI base, String name) {
    WsClient c = connect(base);
    c.name = c.loginAs(name);
    return c;
  }

  String loginAs(String wanted) {
    send(Map.of("action", "login", "username", wanted));
    JsonNode me = expect("me");
    name = me.get("username").asText();
    return name;
  }

  void send(Object obj) {
    try {
      sendRaw(JSON.writeValueAsString(obj));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void sendRaw(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  void sendBinary(byte[] bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** The next received frame matching {@code p}; frames before it that do not match are skipped. */
  JsonNode expect(Predicate<JsonNode> p, String what) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonNode n = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
        if (n == null) {
          throw new AssertionError("timed out waiting for " + what + "; last frames: " + tail());
        }
        if (p.test(n)) {
          return n;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  JsonNode expect(String action) {
    return expect(n -> action.equals(n.path("action").asText()), "action " + action);
  }

  JsonNode expect(String action, Predicate<JsonNode> p) {
    return expect(n -> action.equals(n.path("action").asText()) && p.test(n), "action " + action);
  }

  /** The next {@code error} whose message contains {@code text}. */
  JsonNode expectError(String text) {
    return expect(n -> "error".equals(n.path("action").asText()) && n.path("message").asText().contains(text),
        "error containing '" + text + "'");
  }

  /** The next message frame whose text contains {@code text}. */
  JsonNode expectMessage(String text) {
    return expect(n -> "message".equals(n.path("action").asText()) && n.path("message").asText().contains(text),
        "message containing '" + text + "'");
  }

  /** The next {@code who} list that satisfies {@code p}. */
  JsonNode expectWho(Predicate<List<String>> p) {
    return expect(n -> "who".equals(n.path("action").asText()) && p.test(names(n)), "matching who list");
  }

  static List<String> names(JsonNode who) {
    List<String> out = new ArrayList<>();
    who.path("whoList").forEach(e -> out.add(e.path("username").asText()));
    return out;
  }

  static JsonNode entry(JsonNode who, String name) {
    for (JsonNode e : who.path("whoList")) {
      if (e.path("username").asText().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private String tail() {
    synchronized (all) {
      String s = all.subList(Math.max(0, all.size() - 12), all.size()).toString();
      return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }
  }

  /** Waits (Awaitility) until at least {@code count} received frames satisfy {@code p}, in any order. */
  List<JsonNode> awaitReceived(Predicate<JsonNode> p, int count) {
    org.awaitility.Awaitility.await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
        .until(() -> received(p).size() >= count);
    return received(p);
  }

  /** Waits until a frame satisfying {@code p} has been received at any time (order-independent). */
  JsonNode awaitReceived(Predicate<JsonNode> p) {
    return awaitReceived(p, 1).get(0);
  }

  /** Frames received so far that satisfy {@code p}. */
  List<JsonNode> received(Predicate<JsonNode> p) {
    synchronized (all) {
      return all.stream().filter(p).toList();
    }
  }

  /** Drops everything received so far. */
  void clear() {
    inbox.clear();
  }

  int awaitClose() {
    return closeCode.orTimeout(10, TimeUnit.SECONDS).join();
  }

  boolean isClosed() {
    return closeCode.isDone() || ws.isInputClosed();
  }

  /** Sends a ping chat frame and waits for an echo of a unique marker DM to self: everything before it has arrived. */
  void sync() {
    String marker = "sync-" + System.nanoTime();
    send(Map.of("action", "message", "channel", "@" + name, "message", marker));
    expectMessage(marker);
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> null).join();
    }
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final boolean reading;
    private final StringBuilder partial = new StringBuilder();

    Listener(boolean reading) {
      this.reading = reading;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reading) {
        webSocket.request(1);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode n = JSON.readTree(partial.toString());
          all.add(n);
          inbox.add(n);
        } catch (Exception e) {
          all.add(JSON.getNodeFactory().textNode("UNPARSABLE:" + partial));
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      closeReason.complete(reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.complete(-1);
      closeReason.complete(String.valueOf(error));
    }
  }

  static void assertNoneMatch(WsClient c, Predicate<JsonNode> p, String what) {
    assertThat(c.received(p)).as(what).isEmpty();
  }
}
