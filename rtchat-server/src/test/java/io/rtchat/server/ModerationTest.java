package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.rtchat.server.config.Settings;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Moderation rules, message filters and the report webhook (spec §2.1, §6, §8.3). */
class ModerationTest {

  @Test
  void aNoBroadcastRuleCutsTheCameraWithTheConfiguredError() {
    try (RtchatServer server = TestServers.start(s -> s.moderationRules = List.of(rule("nocam", r -> r.noBroadcast = true)));
        WsClient c = WsClient.login(server.uri(), "nocam")) {
      c.send(Map.of("action", "me", "video", 1));
      c.expect("cut");
      c.expectError("restricts your ability to share your webcam");
      c.expect("who", n -> WsClient.entry(n, "nocam") != null && WsClient.entry(n, "nocam").path("video").asInt() == 0);
    }
  }

  @Test
  void aRedCamRuleForcesTheExplicitFlagAndSendsMeBack() {
    try (RtchatServer server = TestServers.start(s -> s.moderationRules = List.of(rule("redcam", r -> r.cameraAlwaysNsfw = true)));
        WsClient c = WsClient.login(server.uri(), "redcam")) {
      c.send(Map.of("action", "me", "video", 1));
      c.expectError("forces your camera to stay marked as Explicit");
      assertThat(c.expect("me", n -> n.has("video")).path("video").asInt()).isEqualTo(3);
    }
  }

  @Test
  void aNoVideoRuleRefusesToOpenCameras() {
    try (RtchatServer server = TestServers.start(s -> s.moderationRules = List.of(rule("blind", r -> r.noVideo = true)));
        WsClient cam = WsClient.login(server.uri(), "camera"); WsClient v = WsClient.login(server.uri(), "blind")) {
      cam.send(Map.of("action", "me", "video", 1));
      v.send(Map.of("action", "open", "username", "camera"));
      v.expectError("restricts your ability to watch webcams");
    }
  }

  @Test
  void aCensoringFilterStarsOutTheMatchAndAnswersTheSender() {
    try (RtchatServer server = TestServers.start(s -> {
          Settings.MessageFilter f = new Settings.MessageFilter();
          f.enabled = true;
          f.publicChannels = true;
          f.keywordPhrases = List.of("\\bdarn\\b");
          f.censorMessage = true;
          f.forwardMessage = true;
          f.chatServerResponse = "Please keep it clean.";
          s.messageFilters = List.of(f);
        });
        WsClient a = WsClient.login(server.uri(), "potty"); WsClient b = WsClient.login(server.uri(), "prude")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "well darn it"));
      assertThat(b.expectMessage("well").path("message").asText()).isEqualTo("<p>well **** it</p>");
      a.expectError("Please keep it clean.");
    }
  }

  @Test
  void aNonForwardingFilterShowsTheLineOnlyToItsSender() {
    try (RtchatServer server = TestServers.start(s -> {
          Settings.MessageFilter f = new Settings.MessageFilter();
          f.enabled = true;
          f.publicChannels = true;
          f.keywordPhrases = List.of("buy now");
          s.messageFilters = List.of(f);
        });
        WsClient a = WsClient.login(server.uri(), "seller"); WsClient b = WsClient.login(server.uri(), "buyer")) {
      a.send(Map.of("action", "message", "channel", "lobby", "message", "buy now cheap"));
      a.expectMessage("buy now");
      b.send(Map.of("action", "message", "channel", "lobby", "message", "marker"));
      b.expectMessage("marker");
      assertThat(b.received(n -> n.path("message").asText().contains("buy now"))).isEmpty();
    }
  }

  @Test
  void aReportIsPostedToTheWebhookAndTheReporterIsTold() throws Exception {
    LinkedBlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/report", ex -> {
      try (InputStream in = ex.getRequestBody()) {
        bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    hook.start();
    try (RtchatServer server = TestServers.start(s -> {
          s.adminApiKey = "hook-key";
          s.webhookUrls.get(0).enabled = true;
          s.webhookUrls.get(0).url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/report";
        });
        WsClient a = WsClient.login(server.uri(), "snitch")) {
      a.send(Map.of("action", "report", "channel", "lobby", "username", "troll", "timestamp", "now",
          "reason", "spam", "message", "<p>buy</p>", "comment", "please look"));
      a.expectError("Your report has been delivered successfully.");
      JsonNode body = WsClient.JSON.readTree(bodies.poll(10, TimeUnit.SECONDS));
      assertThat(body.path("Action").asText()).isEqualTo("report");
      assertThat(body.path("APIKey").asText()).isEqualTo("hook-key");
      assertThat(body.path("Report").path("FromUsername").asText()).isEqualTo("snitch");
      assertThat(body.path("Report").path("AboutUsername").asText()).isEqualTo("troll");
      assertThat(body.path("Report").path("Reason").asText()).isEqualTo("spam");
      assertThat(body.path("Report").path("Comment").asText()).isEqualTo("please look");
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void aFailingWebhookIsReportedToTheReporter() {
    try (RtchatServer server = TestServers.start(s -> {
          s.webhookUrls.get(0).enabled = true;
          s.webhookUrls.get(0).url = "http://127.0.0.1:1/report";
        });
        WsClient a = WsClient.login(server.uri(), "unlucky")) {
      a.send(Map.of("action", "report", "channel", "lobby", "username", "x", "reason", "spam", "message", "m"));
      a.expectError("Error sending the report to the website");
      a.send(Map.of("action", "report", "channel", "lobby", "username", "x", "reason", "spam", "message", "m"));
      a.expectError("Please wait a few seconds before sending another report.");
    }
  }

  private static Settings.ModerationRule rule(String name, java.util.function.Consumer<Settings.ModerationRule> c) {
    Settings.ModerationRule r = new Settings.ModerationRule();
    r.username = name;
    c.accept(r);
    return r;
  }
}
