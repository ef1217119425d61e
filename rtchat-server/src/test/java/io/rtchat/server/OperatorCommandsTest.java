package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §7: operator slash commands, and their refusal for everybody else. */
class OperatorCommandsTest {
  static RtchatServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(s -> TestServers.jwt(s, false));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static WsClient op(RtchatServer srv, String name) {
    WsClient c = WsClient.connect(srv.uri());
    c.send(Map.of("action", "login", "jwt", Tokens.valid(name, Map.of("op", true))));
    c.name = c.expect("me").path("username").asText();
    return c;
  }

  static void say(WsClient c, String text) {
    c.send(Map.of("action", "message", "channel", "lobby", "message", text));
  }

  @Test
  void kickDisconnectsTheTargetAnnouncesItAndUpdatesWho() {
    try (WsClient op = op(server, "kickOp"); WsClient t = WsClient.login(server.uri(), "kickee");
        WsClient w = WsClient.login(server.uri(), "kickWitness")) {
      say(op, "/kick kickee");
      t.expectError("You have been kicked from the chat room by kickOp");
      t.expect("disconnect");
      w.expect("presence", n -> n.path("username").asText().equals("kickee")
          && n.path("message").asText().equals("has been kicked from the room!"));
      w.expectWho(names -> !names.contains("kickee") && names.contains("kickWitness"));
      op.expectError("kickee has been kicked from the room");
      t.send(Map.of("action", "message", "channel", "lobby", "message", "still here?"));
      t.expectError("You must log in first.");
    }
  }

  @Test
  void quotedNamesWithSpacesAreKickedExactly() {
    try (WsClient op = op(server, "quoteOp"); WsClient bob = WsClient.login(server.uri(), "bobq");
        WsClient bob2 = WsClient.login(server.uri(), "bobq")) {
      assertThat(bob2.name).isEqualTo("bobq 2");
      say(op, "/kick \"bobq 2\"");
      bob2.expect("disconnect");
      bob.sync();
      assertThat(bob.received(n -> n.path("action").asText().equals("disconnect"))).isEmpty();
    }
  }

  @Test
  void anOpCannotKickThemselves() {
    try (WsClient op = op(server, "selfOp")) {
      say(op, "/kick selfOp");
      op.expectError("You can not kick yourself.");
    }
  }

  @Test
  void slashCommandsFromNonOpsArePostedAsChat() {
    try (WsClient user = WsClient.login(server.uri(), "wannabe"); WsClient t = WsClient.login(server.uri(), "safeUser")) {
      say(user, "/kick safeUser");
      t.expectMessage("/kick safeUser");
      assertThat(t.received(n -> n.path("action").asText().equals("disconnect"))).isEmpty();
    }
  }

  @Test
  void banKeepsTheNameOutForItsDurationAndUnbanLetsItBackIn() {
    try (WsClient op = op(server, "banOp")) {
      WsClient t = WsClient.login(server.uri(), "banned1");
      say(op, "/ban banned1 2");
      t.expectError("You have been banned from the chat room by banOp. You may come back after 2 hours.");
      t.expect("disconnect");
      op.expectError("banned1 has been banned from the room for 2 hours.");
      t.close();
      try (WsClient again = WsClient.connect(server.uri())) {
        again.send(Map.of("action", "login", "username", "banned1"));
        again.expectError("You are currently banned from entering the chat room.");
        again.expect("disconnect");
        assertThat(again.received(n -> n.path("action").asText().equals("me"))).isEmpty();
      }
      say(op, "/bans");
      op.expectError("banned1");
      say(op, "/unban banned1");
      op.expectError("The ban on banned1 has been lifted.");
      try (WsClient back = WsClient.login(server.uri(), "banned1")) {
        assertThat(back.name).isEqualTo("banned1");
      }
    }
  }

  @Test
  void opAndDeopChangeTheWhoListAndGrantCommands() {
    try (WsClient op = op(server, "grantOp"); WsClient g = WsClient.login(server.uri(), "promoted");
        WsClient victim = WsClient.login(server.uri(), "victimOfPromoted")) {
      say(op, "/op promoted");
      g.expectError("You have been granted operator privileges by grantOp.");
      g.expect("who", n -> WsClient.entry(n, "promoted") != null && WsClient.entry(n, "promoted").path("op").asBoolean());
      say(g, "/kick victimOfPromoted");
      victim.expect("disconnect");
      say(op, "/deop promoted");
      g.expect("who", n -> WsClient.entry(n, "promoted") != null && !WsClient.entry(n, "promoted").path("op").asBoolean());
    }
  }

  @Test
  void cutTellsABroadcasterToStopAndNsfwMarksTheirCamera() {
    try (WsClient op = op(server, "camOp"); WsClient cam = WsClient.login(server.uri(), "camGuy")) {
      cam.send(Map.of("action", "me", "video", 1));
      op.expect("who", n -> WsClient.entry(n, "camGuy") != null && WsClient.entry(n, "camGuy").path("video").asInt() == 1);
      say(op, "/nsfw camGuy");
      JsonNode me = cam.expect("me", n -> n.path("video").asInt() == 3);
      assertThat(me.path("username").asText()).isEqualTo("camGuy");
      op.expect("who", n -> WsClient.entry(n, "camGuy") != null && WsClient.entry(n, "camGuy").path("video").asInt() == 3);
      say(op, "/cut camGuy");
      cam.expect("cut");
      op.expectError("camGuy has been told to turn off their camera.");
      say(op, "/cut");
      op.expectError("Usage: /cut username");
      say(op, "/nsfw");
      op.expectError("Usage: /nsfw username");
    }
  }

  @Test
  void unmuteAllLiftsTheOpsMutes() {
    try (WsClient op = op(server, "muteOp")) {
      op.send(Map.of("action", "mute", "username", "a1"));
      op.send(Map.of("action", "mute", "username", "a2"));
      say(op, "/unmute-all");
      op.expectError("Your mute on 2 users has been lifted.");
    }
  }

  @Test
  void anOpGoingHiddenFakesAnExitAndVanishesFromWhoUntilTheyReturn() {
    try (WsClient op = op(server, "ghostOp"); WsClient w = WsClient.login(server.uri(), "ghostWatcher")) {
      w.expectWho(names -> names.contains("ghostOp"));
      op.send(Map.of("action", "me", "video", 0, "status", "hidden"));
      w.expect("presence", n -> n.path("username").asText().equals("ghostOp")
          && n.path("message").asText().equals("has exited the room!"));
      w.expectWho(names -> !names.contains("ghostOp") && names.contains("ghostWatcher"));
      op.send(Map.of("action", "me", "video", 0, "status", "online"));
      w.expect("presence", n -> n.path("username").asText().equals("ghostOp")
          && n.path("message").asText().equals("has joined the room!"));
      w.expectWho(names -> names.contains("ghostOp"));
    }
  }

  @Test
  void helpListsTheCommands() {
    try (WsClient op = op(server, "helpOp")) {
      say(op, "/help");
      op.expectError("/kick");
    }
  }

  @Test
  void kickallDisconnectsEveryoneAndShutdownStopsTheServerAfterTheNotice() throws Exception {
    java.util.concurrent.CountDownLatch requested = new java.util.concurrent.CountDownLatch(1);
    io.rtchat.server.config.Settings s = io.rtchat.server.config.SettingsLoader.defaults();
    TestServers.jwt(s, false);
    try (RtchatServer own = RtchatServer.builder().settings(s).port(0).onShutdownRequest(requested::countDown).build()) {
      own.start();
      try (WsClient op = op(own, "bossOp"); WsClient u = WsClient.login(own.uri(), "regular")) {
        say(op, "/kickall");
        u.expect("disconnect");
        op.expect("disconnect");
      }
      try (WsClient op = op(own, "bossOp2"); WsClient u = WsClient.login(own.uri(), "regular2")) {
        say(op, "/shutdown");
        u.expectError("The chat server is going down for a reboot NOW!");
        assertThat(u.awaitClose()).isEqualTo(1001);
        assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
        own.stopped().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
