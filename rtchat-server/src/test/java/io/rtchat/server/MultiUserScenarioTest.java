package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scenarios with three or more real clients. */
class MultiUserScenarioTest {
  static RtchatServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyChannelMessageFansOutToAllFiveUsersInOrder() {
    List<WsClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        clients.add(WsClient.login(server.uri(), "fan" + i));
      }
      for (int round = 0; round < 10; round++) {
        for (WsClient c : clients) {
          c.send(Map.of("action", "message", "channel", "lobby", "message", "r" + round + "-" + c.name));
        }
      }
      for (WsClient c : clients) {
        c.awaitReceived(n -> n.path("action").asText().equals("message")
            && n.path("message").asText().matches("<p>r\\d-fan\\d</p>"), 50);
      }
      for (WsClient c : clients) {
        long[] ids = c.received(n -> n.path("action").asText().equals("message")).stream()
            .filter(n -> n.path("username").asText().equals("fan0"))
            .mapToLong(n -> n.path("msgID").asLong()).toArray();
        assertThat(ids).hasSize(10).isSorted();
      }
    } finally {
      clients.forEach(WsClient::close);
    }
  }

  @Test
  void aThirdUserNeverSeesADirectMessage() {
    try (WsClient alice = WsClient.login(server.uri(), "alice"); WsClient bob = WsClient.login(server.uri(), "bob");
        WsClient carol = WsClient.login(server.uri(), "carol")) {
      alice.send(Map.of("action", "message", "channel", "@bob", "message", "secret for bob"));
      long dmId = bob.expectMessage("secret for bob").path("msgID").asLong();
      bob.send(Map.of("action", "message", "channel", "@alice", "message", "secret for alice"));
      alice.expectMessage("secret for alice");
      bob.send(Map.of("action", "react", "msgID", dmId, "message", "heart"));
      alice.expect("react");
      alice.send(Map.of("action", "message", "channel", "lobby", "message", "public after the DMs"));
      carol.expectMessage("public after the DMs");
      assertThat(carol.received(n -> n.toString().contains("secret"))).isEmpty();
      assertThat(carol.received(n -> n.path("action").asText().equals("react"))).isEmpty();
    }
  }

  @Test
  void whoListsUpdateForEveryoneOnJoinAndLeave() {
    try (WsClient a = WsClient.login(server.uri(), "whoA"); WsClient b = WsClient.login(server.uri(), "whoB")) {
      WsClient c = WsClient.login(server.uri(), "whoC");
      a.expectWho(n -> n.containsAll(List.of("whoA", "whoB", "whoC")));
      b.expectWho(n -> n.containsAll(List.of("whoA", "whoB", "whoC")));
      a.awaitReceived(n -> n.path("action").asText().equals("presence") && n.path("username").asText().equals("whoC")
          && n.path("message").asText().equals("has joined the room!"));
      c.close();
      b.awaitReceived(n -> n.path("action").asText().equals("presence") && n.path("username").asText().equals("whoC")
          && n.path("message").asText().equals("has exited the room!"));
      a.expectWho(n -> n.containsAll(List.of("whoA", "whoB")) && !n.contains("whoC"));
      b.expectWho(n -> n.containsAll(List.of("whoA", "whoB")) && !n.contains("whoC"));
    }
  }

  @Test
  void aWebcamRingBetweenTwoUsersIsInvisibleToAThird() {
    try (WsClient cam = WsClient.login(server.uri(), "camOwner"); WsClient v = WsClient.login(server.uri(), "camViewer");
        WsClient other = WsClient.login(server.uri(), "camOther")) {
      cam.send(Map.of("action", "me", "video", 1));
      v.expect("who", n -> WsClient.entry(n, "camOwner") != null && WsClient.entry(n, "camOwner").path("video").asInt() == 1);
      v.send(Map.of("action", "open", "username", "camOwner"));
      JsonNode ring = cam.expect("ring");
      String offer = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\na=ice-ufrag:abcd\\r\\n\"}";
      v.send(Map.of("action", "sdp", "username", "camOwner", "description", offer));
      assertThat(cam.expect("sdp").path("description").asText()).isEqualTo(offer);
      assertThat(ring.path("openSecret").asText()).hasSize(16);
      other.sync();
      assertThat(other.received(n -> List.of("ring", "open", "sdp", "candidate").contains(n.path("action").asText()))).isEmpty();
    }
  }

  @Test
  void theEchoReplaysRecentLobbyLinesToLateJoinersWithTimestamps() {
    try (WsClient a = WsClient.login(server.uri(), "echoer")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "history line"));
      a.expectMessage("history line");
      try (WsClient late = WsClient.connect(server.uri())) {
        late.send(Map.of("action", "login", "username", "latecomer"));
        JsonNode echo = late.expect("echo");
        JsonNode line = null;
        for (JsonNode m : echo.path("messages")) {
          if (m.path("message").asText().contains("history line")) {
            line = m;
          }
        }
        assertThat(line).isNotNull();
        assertThat(line.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*");
        assertThat(line.path("username").asText()).isEqualTo("echoer");
      }
    }
  }
}
