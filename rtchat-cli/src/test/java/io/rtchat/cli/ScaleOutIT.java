package io.rtchat.cli;

import static io.rtchat.cli.RtchatProcess.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.server.Mosquitto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code rtchat server} processes sharing one Mosquitto backplane: peers that signal through
 * different instances' {@code /signal} relays still find each other and talk over WebRTC.
 */
class ScaleOutIT {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  @TempDir
  Path dir;

  private final List<RtchatProcess> processes = new ArrayList<>();

  @AfterEach
  void stopProcesses() throws InterruptedException {
    for (RtchatProcess process : processes) {
      process.close();
    }
  }

  private RtchatProcess start(String label, String... args) throws Exception {
    RtchatProcess process = RtchatProcess.start(label, dir.resolve(label), args);
    processes.add(process);
    return process;
  }

  private String signalRelayOf(String label, Mosquitto broker) throws Exception {
    RtchatProcess server = start(label, "server", "--port", "0", "--no-broker",
        "--backplane", broker.uri().toString());
    Matcher listening = LISTENING.matcher(
        server.awaitLine("listening line", seconds(60), LISTENING.asPredicate()));
    assertThat(listening.find()).isTrue();
    return listening.group(1).replace("http://", "ws://") + "/signal?room=spread";
  }

  @Test
  void peersOnDifferentInstancesConnectChatAndAsk() throws Exception {
    try (Mosquitto broker = Mosquitto.start()) {
      String viaA = signalRelayOf("server-a", broker);
      String viaB = signalRelayOf("server-b", broker);

      RtchatProcess alice = start("alice", "peer", "--name", "alice", "--signal", viaA, "--json", "--no-progress");
      RtchatProcess bob = start("bob", "peer", "--name", "bob", "--signal", viaB, "--json", "--no-progress");

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
