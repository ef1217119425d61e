package io.rtchat.cli;

import static io.rtchat.cli.RtchatProcess.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.server.Mosquitto;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code rtchat server} processes sharing one Mosquitto backplane: peers that signal through
 * different instances' {@code /signal} relays still find each other and talk over WebRTC.
 */
class ScaleOutIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final RtchatProcesses rtchat = new RtchatProcesses(() -> dir);

  private String signalRelayOf(String label, Mosquitto broker) throws Exception {
    RtchatProcess server = rtchat.start(label, "server", "--port", "0", "--no-broker",
        "--backplane", broker.uri().toString());
    return server.awaitListening().replace("http://", "ws://") + "/signal?room=spread";
  }

  @Test
  void peersOnDifferentInstancesConnectChatAndAsk() throws Exception {
    try (Mosquitto broker = Mosquitto.start()) {
      String viaA = signalRelayOf("server-a", broker);
      String viaB = signalRelayOf("server-b", broker);

      RtchatProcess alice = rtchat.start("alice", "peer", "--name", "alice", "--signal", viaA, "--json", "--no-progress");
      RtchatProcess bob = rtchat.start("bob", "peer", "--name", "bob", "--signal", viaB, "--json", "--no-progress");

      alice.awaitEvent("connected", seconds(60), e -> e.path("peer").asText().equals("bob"));
      bob.awaitEvent("connected", seconds(30), e -> e.path("peer").asText().equals("alice"));
      bob.send("hello across instances");
      alice.awaitEvent("message", seconds(10), e -> e.path("text").asText().equals("hello across instances"));
      alice.send("/ask bob echo ping");
      assertThat(alice.awaitEvent("answer", seconds(10), e -> e.path("topic").asText().equals("echo"))
          .path("answer").asText()).isEqualTo("ping");
      alice.send("/quit");
      bob.awaitEvent("disconnected", seconds(10), e -> e.path("peer").asText().equals("alice"));
      assertThat(alice.awaitExit(seconds(20))).isZero();
    }
  }
}
