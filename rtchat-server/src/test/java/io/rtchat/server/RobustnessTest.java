package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Bad input and resource limits (spec §1, §8.5, §11): the server keeps serving everybody else. */
class RobustnessTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void malformedJsonNonObjectsAndWrongTypesGetAClearErrorAndTheConnectionStays() {
    try (RtchatServer server = TestServers.start(); WsClient c = WsClient.login(server.uri(), "sloppy")) {
      c.sendRaw("{not json");
      c.expectError("Invalid message: not valid JSON.");
      c.sendRaw("[1,2,3]");
      c.expectError("expected one JSON object per frame");
      c.sendRaw("{\"action\":\"me\",\"video\":\"lots\"}");
      c.expectError("the field \"video\" has the wrong type");
      c.sendRaw("{\"action\":\"message\",\"channel\":{\"x\":1},\"message\":\"hi\"}");
      c.expectError("the field \"channel\" has the wrong type");
      c.sendRaw("{\"message\":\"no action\"}");
      c.expectError("the \"action\" field is required");
      c.sendRaw("{\"action\":\"file\",\"channel\":\"lobby\",\"message\":\"a.png\",\"bytes\":[1,2,300]}");
      c.expectError("Invalid message");
      c.sendBinary(new byte[] {1, 2, 3});
      c.expectError("Binary frames are not supported");
      c.sendRaw("{\"action\":\"message\",\"channel\":\"lobby\",\"message\":\"still alive\"}");
      c.expectMessage("still alive");
    }
  }

  @Test
  void keysAreMatchedCaseInsensitivelyAndUnknownKeysIgnoredAsGoDid() {
    try (RtchatServer server = TestServers.start(); WsClient c = WsClient.login(server.uri(), "casey")) {
      c.sendRaw("{\"Action\":\"message\",\"CHANNEL\":\"lobby\",\"Message\":\"case-insensitive\",\"extra\":[1]}");
      c.expectMessage("case-insensitive");
    }
  }

  @Test
  void anOversizeFrameClosesOnlyThatConnectionWith1009() {
    try (RtchatServer server = TestServers.start(s -> s.webSocketReadLimit = 16 * 1024);
        WsClient big = WsClient.login(server.uri(), "bigmouth"); WsClient other = WsClient.login(server.uri(), "bystander")) {
      big.sendRaw("{\"action\":\"message\",\"channel\":\"lobby\",\"message\":\"" + "x".repeat(20 * 1024) + "\"}");
      assertThat(big.awaitClose()).isEqualTo(1009);
      other.expect("presence", n -> n.path("username").asText().equals("bigmouth") && n.path("message").asText().contains("exited"));
      other.sync();
    }
  }

  @Test
  void anOverlongChatLineIsRefused() {
    try (RtchatServer server = TestServers.start(s -> s.limits.maxMessageLength = 100);
        WsClient c = WsClient.login(server.uri(), "wordy")) {
      c.send(Map.of("action", "message", "channel", "lobby", "message", "y".repeat(101)));
      c.expectError("Your message is too long (at most 100 characters).");
    }
  }

  @Test
  void aClientOverItsRateLimitIsThrottledWhileOthersAreNot() {
    try (RtchatServer server = TestServers.start(s -> {
          s.limits.messagesPerSecond = 2;
          s.limits.messageBurst = 10;
        });
        WsClient spam = WsClient.login(server.uri(), "spammer"); WsClient calm = WsClient.login(server.uri(), "calm")) {
      for (int i = 0; i < 40; i++) {
        spam.send(Map.of("action", "message", "channel", "lobby", "message", "spam " + i));
      }
      spam.expectError("You are sending messages too fast");
      calm.send(Map.of("action", "message", "channel", "lobby", "message", "calm line"));
      calm.expectMessage("calm line");
      assertThat(calm.received(n -> n.path("message").asText().startsWith("<p>spam")).size()).isLessThan(40);
    }
  }

  @Test
  void hundredsOfRememberedMutesBeforeLoginAreNotLostToTheRateLimit() {
    try (RtchatServer server = TestServers.start(s -> {
          s.limits.messagesPerSecond = 2;
          s.limits.messageBurst = 20;
        });
        WsClient c = WsClient.connect(server.uri())) {
      for (int i = 0; i < 300; i++) {
        c.send(Map.of("action", "mute", "username", "muted" + i));
      }
      c.loginAs("rememberer");
      assertThat(c.received(n -> n.path("message").asText().contains("too fast"))).isEmpty();
    }
  }

  @Test
  void aClientThatNeverReadsIsClosedWhileOthersReceiveEveryMessage() {
    int count = 1500;
    try (RtchatServer server = TestServers.start(s -> {
          s.limits.messagesPerSecond = 100_000;
          s.limits.messageBurst = 100_000;
        });
        WsClient slow = WsClient.connectNonReading(server.uri());
        WsClient sender = WsClient.login(server.uri(), "sender");
        WsClient reader = WsClient.login(server.uri(), "reader")) {
      slow.send(Map.of("action", "login", "username", "sloth"));
      reader.expectWho(names -> names.contains("sloth"));
      String filler = "z".repeat(7000);
      for (int i = 0; i < count; i++) {
        sender.send(Map.of("action", "message", "channel", "lobby", "message", "m" + i + " " + filler));
      }
      reader.awaitReceived(n -> n.path("action").asText().equals("message")
          && n.path("username").asText().equals("sender"), count);
      reader.awaitReceived(n -> n.path("action").asText().equals("presence")
          && n.path("username").asText().equals("sloth") && n.path("message").asText().equals("has exited the room!"));
      assertThat(server.metrics().queueOverflowCount()).isGreaterThanOrEqualTo(1);
      List<JsonNode> got = reader.received(n -> n.path("action").asText().equals("message")
          && n.path("username").asText().equals("sender"));
      for (int i = 0; i < count; i++) {
        assertThat(got.get(i).path("message").asText()).startsWith("<p>m" + i + " ");
      }
    }
  }

  @Test
  void tenThousandRandomFramesFromOneClientLeaveTheServerAndOtherClientsUnaffected() throws Exception {
    try (RtchatServer server = TestServers.start(s -> {
          s.limits.messagesPerSecond = 1_000_000;
          s.limits.messageBurst = 1_000_000;
          s.webSocketReadLimit = 1 << 20;
        });
        WsClient a = WsClient.login(server.uri(), "steadyA"); WsClient b = WsClient.login(server.uri(), "steadyB");
        WsClient fuzzer = WsClient.connect(server.uri())) {
      b.expectWho(names -> names.contains("steadyA") && names.contains("steadyB"));
      a.sync();
      b.sync();
      int before = b.all.size();
      Random rnd = new Random(7);
      for (int i = 0; i < 10_000; i++) {
        if (rnd.nextInt(50) == 0) {
          byte[] junk = new byte[rnd.nextInt(64)];
          rnd.nextBytes(junk);
          fuzzer.ws.sendBinary(ByteBuffer.wrap(junk), true).join();
        } else {
          fuzzer.ws.sendText(Fuzz.frame(rnd), true).join();
        }
      }
      fuzzer.send(Map.of("action", "ping"));
      fuzzer.send(Map.of("action", "typing"));
      fuzzer.expectError("Unsupported message type: typing");
      List<JsonNode> during;
      synchronized (b.all) {
        during = List.copyOf(b.all.subList(before, b.all.size()));
      }
      assertThat(during).as("frames B saw during the fuzz (at most a repeated, unchanged who list)")
          .allSatisfy(n -> assertThat(WsClient.names(n)).containsExactly("steadyA", "steadyB"));
      a.send(Map.of("action", "message", "channel", "lobby", "message", "after the storm"));
      b.expectMessage("after the storm");
      HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/api/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aFileDirectMessageToAnOfflineNameIsAnErrorNotACrash() throws Exception {
    try (RtchatServer server = TestServers.start(); WsClient a = WsClient.login(server.uri(), "crasher");
        WsClient b = WsClient.login(server.uri(), "survivor")) {
      a.send(Map.of("action", "file", "channel", "@nobody", "message", "x.png", "bytes", Fixtures.unsigned(Fixtures.png(4, 4))));
      a.expectError("Could not deliver your message: @nobody appears not to be online.");
      b.send(Map.of("action", "message", "channel", "lobby", "message", "server still up"));
      a.expectMessage("server still up");
    }
  }

  @Test
  void aDecompressionBombIsRefusedFromItsHeaderBeforeDecoding() throws Exception {
    try (RtchatServer server = TestServers.start(TestServers::threeChannels); WsClient a = WsClient.login(server.uri(), "bomber")) {
      byte[] bomb = withPngDimensions(Fixtures.png(8, 8), 60_000, 60_000);
      a.send(Map.of("action", "file", "channel", "offtopic", "message", "bomb.png", "bytes", Fixtures.unsigned(bomb)));
      a.expectError("That image is too large (60000x60000 pixels).");
    }
  }

  @Test
  void aConnectionThatNeverLogsInIsClosedAfterTheLoginTimeout() {
    try (RtchatServer server = TestServers.start(s -> s.limits.loginTimeoutSeconds = 1);
        WsClient idle = WsClient.connect(server.uri())) {
      assertThat(idle.awaitClose()).isEqualTo(1008);
    }
  }

  @Test
  void aForeignOriginIsRefusedWith403WhileNoOriginSameOriginAndCorsHostsAreAccepted() {
    try (RtchatServer server = TestServers.start(s -> s.corsHosts = List.of("https://friends.example"))) {
      assertThatThrownBy(() -> WsClient.connectWithOrigin(server.uri(), "https://evil.example"))
          .hasStackTraceContaining("403");
      String same = "http://127.0.0.1:" + server.uri().getPort();
      try (WsClient ok1 = WsClient.connectWithOrigin(server.uri(), same);
          WsClient ok2 = WsClient.connectWithOrigin(server.uri(), "https://friends.example");
          WsClient ok3 = WsClient.connect(server.uri())) {
        ok1.loginAs("origin1");
        ok2.loginAs("origin2");
        ok3.loginAs("origin3");
      }
    }
  }

  @Test
  void handshakeErrorsFollowTheSpec() throws Exception {
    try (RtchatServer server = TestServers.start()) {
      HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/ws"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/ws")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(426);
    }
  }

  @Test
  void aSilentConnectionIsClosedAfterTheIdleTimeout() {
    try (RtchatServer server = TestServers.start(s -> s.limits.idleTimeoutSeconds = 1);
        WsClient quiet = WsClient.login(server.uri(), "quiet")) {
      assertThat(quiet.awaitClose()).isIn(1001, 1011);
    }
  }

  @Test
  void keepAlivePingsAndTheirPongsDoNotDisturbTheConversation() {
    try (RtchatServer server = TestServers.start(s -> s.limits.pingIntervalSeconds = 1);
        WsClient a = WsClient.login(server.uri(), "pingedA")) {
      a.awaitReceived(n -> n.path("action").asText().equals("ping"), 3);
      a.send(Map.of("action", "message", "channel", "lobby", "message", "after pongs"));
      a.expectMessage("after pongs");
      assertThat(a.isClosed()).isFalse();
    }
  }

  @Test
  void closingTheServerSendsEveryClientACloseFrame() {
    RtchatServer server = TestServers.start();
    try (WsClient a = WsClient.login(server.uri(), "leftBehind")) {
      server.close();
      assertThat(a.awaitClose()).isEqualTo(1001);
    }
  }

  /** Rewrites the IHDR width/height of a PNG (and its CRC) without touching the pixel data. */
  static byte[] withPngDimensions(byte[] png, int w, int h) {
    byte[] out = png.clone();
    ByteBuffer bb = ByteBuffer.wrap(out);
    bb.putInt(16, w);
    bb.putInt(20, h);
    CRC32 crc = new CRC32();
    crc.update(out, 12, 17);
    bb.putInt(29, (int) crc.getValue());
    return out;
  }

  /** Random frames: junk text, broken JSON, wrong types, odd actions, deep nesting. */
  static final class Fuzz {
    static final String[] ACTIONS = {"message", "file", "me", "open", "candidate", "sdp", "watch", "unwatch",
        "boot", "unboot", "mute", "unmute", "block", "blocklist", "video-invite", "takeback", "react", "report",
        "ping", "typing", "", "\u0000", "LOGIN ", "<script>"};
    static final String[] KEYS = {"channel", "username", "message", "jwt", "whoList", "video", "status", "dnd",
        "msgID", "openSecret", "bytes", "usernames", "timestamp", "messages", "candidate", "description"};

    static String frame(Random r) {
      switch (r.nextInt(6)) {
        case 0 -> {
          byte[] b = new byte[r.nextInt(200)];
          r.nextBytes(b);
          return new String(b, StandardCharsets.ISO_8859_1);
        }
        case 1 -> {
          String good = object(r);
          return good.substring(0, r.nextInt(Math.max(1, good.length())));
        }
        case 2 -> {
          int depth = 1 + r.nextInt(3000);
          return "{\"action\":\"me\",\"video\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        }
        case 3 -> {
          return List.of("null", "true", "123", "\"str\"", "[]", "{}", "{\"action\":null}", "{\"action\":1e999}",
              "{\"action\":\"takeback\",\"msgID\":99999999999999999999999}", "{\"action\":\"me\",\"video\":-1}",
              "{\"action\":\"me\",\"video\":2147483648}", "\uFEFF{\"action\":\"ping\"}").get(r.nextInt(12));
        }
        default -> {
          return object(r);
        }
      }
    }

    static String object(Random r) {
      StringBuilder sb = new StringBuilder("{\"action\":\"").append(ACTIONS[r.nextInt(ACTIONS.length)]).append('"');
      int n = r.nextInt(5);
      for (int i = 0; i < n; i++) {
        sb.append(",\"").append(KEYS[r.nextInt(KEYS.length)]).append("\":").append(value(r, 0));
      }
      return sb.append('}').toString();
    }

    static String value(Random r, int depth) {
      switch (r.nextInt(depth > 2 ? 5 : 7)) {
        case 0 -> {
          return String.valueOf(r.nextLong());
        }
        case 1 -> {
          return "\"" + "@lobby-\\u2028<b>".substring(0, r.nextInt(15)) + "\"";
        }
        case 2 -> {
          return r.nextBoolean() ? "true" : "null";
        }
        case 3 -> {
          return String.valueOf(r.nextDouble() * 1e6);
        }
        case 4 -> {
          return "\"" + "x".repeat(r.nextInt(3000)) + "\"";
        }
        case 5 -> {
          return "[" + value(r, depth + 1) + "," + value(r, depth + 1) + "]";
        }
        default -> {
          return "{\"k\":" + value(r, depth + 1) + "}";
        }
      }
    }
  }
}
