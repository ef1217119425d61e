package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §8.4 /poll, including the fix for §8.5.2 (a bad session must not disconnect anybody). */
class PollTest {
  static RtchatServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Http.Reply poll(String username, String session, Map<String, Object> msg) throws Exception {
    Map<String, Object> body = new java.util.HashMap<>();
    body.put("username", username);
    body.put("session_id", session);
    if (msg != null) {
      body.put("msg", msg);
    }
    return Http.postJson(server.uri().resolve("/poll"), WsClient.JSON.writeValueAsString(body));
  }

  static List<String> actions(Http.Reply r) {
    List<String> out = new ArrayList<>();
    r.json().path("messages").forEach(m -> out.add(m.path("action").asText()));
    return out;
  }

  @Test
  void aPollingLoginReturnsASessionAndTheLoginQueueAndLaterPollsDrainNewMessages() throws Exception {
    Http.Reply login = poll("", "", Map.of("action", "login", "username", "poller"));
    assertThat(login.status()).isEqualTo(200);
    String session = login.json().path("session_id").asText();
    assertThat(session).hasSize(36);
    assertThat(login.json().path("username").asText()).isEqualTo("poller");
    assertThat(actions(login)).startsWith("me", "who", "echo", "presence");
    try (WsClient ws = WsClient.login(server.uri(), "wsFriend")) {
      ws.send(Map.of("action", "message", "channel", "lobby", "message", "hello poller"));
      ws.expectMessage("hello poller");
      Http.Reply next = poll("poller", session, Map.of("action", "ping"));
      assertThat(next.json().path("messages").toString()).contains("hello poller");
      poll("poller", session, Map.of("action", "message", "channel", "lobby", "message", "hello websocket"));
      ws.expectMessage("hello websocket");
    }
  }

  @Test
  void pollingWithoutASessionNeedsALogin() throws Exception {
    Http.Reply r = poll("", "", Map.of("action", "ping"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("messages").get(0).path("message").asText()).isEqualTo("Not logged in.");
  }

  @Test
  void aWrongSessionForSomeoneElsesNameTouchesNothing() throws Exception {
    try (WsClient victim = WsClient.login(server.uri(), "victim"); WsClient witness = WsClient.login(server.uri(), "witness")) {
      for (int i = 0; i < 5; i++) {
        Http.Reply r = poll("victim", "00000000-0000-0000-0000-00000000000" + i, Map.of("action", "ping"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(actions(r)).containsExactly("error", "disconnect");
        assertThat(r.json().path("messages").get(0).path("message").asText())
            .isEqualTo("Your authentication has expired, please log back into the chat again.");
      }
      witness.send(Map.of("action", "message", "channel", "lobby", "message", "are you there victim"));
      victim.expectMessage("are you there victim");
      assertThat(victim.isClosed()).isFalse();
      assertThat(witness.received(n -> n.path("action").asText().equals("presence")
          && n.path("username").asText().equals("victim") && n.path("message").asText().contains("exited"))).isEmpty();
    }
  }

  @Test
  void aPollingSessionCannotBeUsedUnderAnotherName() throws Exception {
    Http.Reply login = poll("", "", Map.of("action", "login", "username", "realPoller"));
    String session = login.json().path("session_id").asText();
    Http.Reply stolen = poll("someoneElse", session, Map.of("action", "ping"));
    assertThat(stolen.status()).isEqualTo(400);
    Http.Reply still = poll("realPoller", session, Map.of("action", "ping"));
    assertThat(still.status()).isEqualTo(200);
  }

  @Test
  void pollRequiresPostJson() throws Exception {
    Http.Reply get = Http.send(java.net.http.HttpRequest.newBuilder(server.uri().resolve("/poll")).build());
    assertThat(get.status()).isEqualTo(400);
    JsonNode err = get.json();
    assertThat(err.path("Error").asText()).isEqualTo("Only POST methods allowed");
  }
}
