package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Spec §4.5: the server as webcam signaling relay. */
class WebcamSignalingTest {
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
  void openRingsTheBroadcasterAndAnswersTheViewerWithTheSameSixteenLetterSecret() {
    try (WsClient cam = WsClient.login(server.uri(), "ringCam"); WsClient v = WsClient.login(server.uri(), "ringViewer")) {
      cam.send(Map.of("action", "me", "video", 1));
      v.expect("who", n -> WsClient.entry(n, "ringCam") != null && WsClient.entry(n, "ringCam").path("video").asInt() == 1);
      v.send(Map.of("action", "open", "username", "ringCam"));
      JsonNode ring = cam.expect("ring");
      JsonNode open = v.expect("open");
      assertThat(ring.path("username").asText()).isEqualTo("ringViewer");
      assertThat(open.path("username").asText()).isEqualTo("ringCam");
      assertThat(ring.path("openSecret").asText()).matches("[a-z]{16}").isEqualTo(open.path("openSecret").asText());
    }
  }

  @Test
  void openingAnOfflineOrDisabledCameraIsRefusedWithTheSpecTexts() {
    try (WsClient cam = WsClient.login(server.uri(), "offCam"); WsClient v = WsClient.login(server.uri(), "offViewer")) {
      assertThat(cam.name).isEqualTo("offCam");
      v.send(Map.of("action", "open", "username", "nobodyHere"));
      v.expectError("Could not open that video: nobodyHere appears to be offline.");
      v.send(Map.of("action", "open", "username", "offCam"));
      v.expectError("Could not open that video: Their video is not currently enabled.");
    }
  }

  @Test
  void onlyVipCamerasAreRefusedToNonVips() {
    try (WsClient cam = WsClient.login(server.uri(), "vipCam"); WsClient v = WsClient.login(server.uri(), "vipViewer")) {
      cam.send(Map.of("action", "me", "video", 1 | 64));
      cam.sync(); // the me is processed before the viewer's open
      v.expect("who", n -> WsClient.entry(n, "vipCam") != null);
      v.send(Map.of("action", "open", "username", "vipCam"));
      v.expectError("You do not have permission to view that camera.");
    }
  }

  @Test
  void sdpAndCandidatesAreRelayedByteForByteWithTheSenderAsUsername() {
    try (WsClient cam = WsClient.login(server.uri(), "sdpCam"); WsClient v = WsClient.login(server.uri(), "sdpViewer")) {
      cam.send(Map.of("action", "me", "video", 1));
      v.expect("who", n -> WsClient.entry(n, "sdpCam") != null && WsClient.entry(n, "sdpCam").path("video").asInt() == 1);
      v.send(Map.of("action", "open", "username", "sdpCam"));
      cam.expect("ring");
      v.expect("open");
      String offer = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 46117 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\na=group:BUNDLE 0\\r\\n\"}";
      String candidate = "{\"candidate\":\"candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"</script>\\u2028\"}";
      v.send(Map.of("action", "sdp", "username", "sdpCam", "description", offer));
      v.send(Map.of("action", "candidate", "username", "sdpCam", "candidate", candidate));
      JsonNode sdp = cam.expect("sdp");
      JsonNode cand = cam.expect("candidate");
      assertThat(sdp.path("username").asText()).isEqualTo("sdpViewer");
      assertThat(sdp.path("description").asText()).isEqualTo(offer);
      assertThat(cand.path("candidate").asText()).isEqualTo(candidate);
      cam.send(Map.of("action", "sdp", "username", "sdpViewer", "description", "{\"type\":\"answer\",\"sdp\":\"v=0\"}"));
      assertThat(v.expect("sdp").path("description").asText()).isEqualTo("{\"type\":\"answer\",\"sdp\":\"v=0\"}");
    }
  }

  @Test
  void signalingWithoutAGrantedOpenIsDropped() {
    try (WsClient a = WsClient.login(server.uri(), "pushyA"); WsClient b = WsClient.login(server.uri(), "targetB")) {
      a.send(Map.of("action", "sdp", "username", "targetB", "description", "{\"type\":\"offer\"}"));
      a.send(Map.of("action", "candidate", "username", "targetB", "candidate", "{}"));
      a.sync();
      b.sync();
      assertThat(b.received(n -> n.path("action").asText().equals("sdp")
          || n.path("action").asText().equals("candidate"))).isEmpty();
    }
  }

  @Test
  void watchAndUnwatchAreRelayedWithTheViewerAsUsername() {
    try (WsClient cam = WsClient.login(server.uri(), "watchCam"); WsClient v = WsClient.login(server.uri(), "watcher")) {
      v.send(Map.of("action", "watch", "username", "watchCam"));
      assertThat(cam.expect("watch").path("username").asText()).isEqualTo("watcher");
      v.send(Map.of("action", "unwatch", "username", "watchCam"));
      assertThat(cam.expect("unwatch").path("username").asText()).isEqualTo("watcher");
    }
  }

  @Test
  void signalingActionsRequireLogin() {
    try (WsClient anon = WsClient.connect(server.uri())) {
      anon.send(Map.of("action", "open", "username", "x"));
      anon.expectError("You must log in first.");
      anon.send(Map.of("action", "react", "msgID", 1, "message", "+1"));
      anon.expectError("You must log in first.");
    }
  }
}
