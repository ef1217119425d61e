package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §3: the login sequence, guest names, and the pre-login gate. */
class LoginProtocolTest {
  static RtchatServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers::threeChannels);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void guestLoginYieldsMeWhoEchoJoinedPresenceAndWelcomesInThatOrder() {
    try (WsClient c = WsClient.connect(server.uri())) {
      c.send(Map.of("action", "login", "username", "orderly", "dnd", false));
      List<String> seen = new ArrayList<>();
      JsonNode last;
      do {
        last = c.expect(n -> true, "any frame");
        seen.add(last.path("action").asText());
      } while (seen.stream().filter("error"::equals).count() < 2);
      assertThat(seen).containsExactly("me", "who", "echo", "presence", "error", "error");
      JsonNode welcome = c.received(n -> n.path("action").asText().equals("error")).get(0);
      assertThat(welcome.path("channel").asText()).isEqualTo("lobby");
      assertThat(welcome.path("username").asText()).isEqualTo("ChatServer");
      assertThat(welcome.path("message").asText()).isEqualTo("<p>Welcome to the chat server!</p>");
      JsonNode presence = c.received(n -> n.path("action").asText().equals("presence")).get(0);
      assertThat(presence.path("username").asText()).isEqualTo("orderly");
      assertThat(presence.path("message").asText()).isEqualTo("has joined the room!");
      JsonNode echo = c.received(n -> n.path("action").asText().equals("echo")).get(0);
      assertThat(echo.path("messages").size()).isZero();
    }
  }

  @Test
  void aTakenGuestNameGetsNumberedAndMeCarriesTheFinalName() {
    try (WsClient a = WsClient.login(server.uri(), "twin");
        WsClient b = WsClient.login(server.uri(), "twin");
        WsClient c = WsClient.login(server.uri(), "TWIN")) {
      assertThat(a.name).isEqualTo("twin");
      assertThat(b.name).isEqualTo("twin 2");
      assertThat(c.name).isEqualTo("TWIN 3");
    }
  }

  @Test
  void anEmptyNameBecomesAnonymous() {
    try (WsClient a = WsClient.login(server.uri(), "")) {
      assertThat(a.name).startsWith("anonymous");
    }
  }

  @Test
  void usernamesWithMarkupOrReservedNamesAreRefused() {
    try (WsClient c = WsClient.connect(server.uri())) {
      c.send(Map.of("action", "login", "username", "<img src=x onerror=alert(1)>"));
      JsonNode err = c.expectError("That username is not allowed");
      assertThat(err.path("message").asText()).doesNotContain("<img");
      c.send(Map.of("action", "login", "username", "ChatServer"));
      c.expectError("reserved");
      c.send(Map.of("action", "login", "username", "../../etc/passwd"));
      c.expectError("That username is not allowed");
      c.send(Map.of("action", "login", "username", "x".repeat(40)));
      c.expectError("at most 32");
      assertThat(c.received(n -> n.path("action").asText().equals("me"))).isEmpty();
    }
  }

  @Test
  void aSecondLoginOnTheSameSocketIsRejectedNotRenamed() {
    try (WsClient a = WsClient.login(server.uri(), "once")) {
      a.send(Map.of("action", "login", "username", "once"));
      a.expectError("You are already logged in.");
      assertThat(a.received(n -> n.path("action").asText().equals("me"))).hasSize(1);
    }
  }

  @Test
  void chatBeforeLoginIsRefused() {
    try (WsClient c = WsClient.connect(server.uri())) {
      c.send(Map.of("action", "message", "channel", "lobby", "message", "hi"));
      c.expectError("You must log in first.");
    }
  }

  @Test
  void preLoginMuteBootBlocklistAndInviteAreAcceptedSilently() {
    try (WsClient c = WsClient.connect(server.uri())) {
      c.send(Map.of("action", "blocklist", "usernames", List.of("spammer")));
      c.send(Map.of("action", "mute", "username", "loud"));
      c.send(Map.of("action", "boot", "username", "creep"));
      c.send(Map.of("action", "video-invite", "usernames", List.of("friend")));
      String name = c.loginAs("early");
      assertThat(name).isEqualTo("early");
      assertThat(c.received(n -> n.path("action").asText().equals("error")
          && !n.has("channel"))).isEmpty();
    }
  }

  @Test
  void logoutBroadcastsExitPresenceAndAWhoWithoutTheUser() {
    try (WsClient stay = WsClient.login(server.uri(), "stayer")) {
      WsClient leave = WsClient.login(server.uri(), "leaver");
      stay.expectWho(names -> names.contains("leaver"));
      leave.close();
      stay.expect("presence", n -> n.path("username").asText().equals("leaver")
          && n.path("message").asText().equals("has exited the room!"));
      stay.expectWho(names -> !names.contains("leaver") && names.contains("stayer"));
    }
  }
}
