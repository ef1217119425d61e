package io.rtchat.cli;

import static io.rtchat.cli.RtchatProcess.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtchat.server.Mosquitto;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code rtchat server} as a process, and peers signaling through it. */
class ServerCommandIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final RtchatProcesses rtchat = new RtchatProcesses(() -> dir);

  @Test
  void peersChatThroughTheServersSignalRelayAndKeysRegisterInItsDirectory() throws Exception {
    RtchatProcess server = rtchat.start("server", "server", "--port", "0", "--broker-port", "0",
        "--broker-ws-port", "0");
    String http = server.awaitListening();
    String signal = http.replace("http://", "ws://") + "/signal";
    assertThat(server.stdoutLines()).hasSize(1);

    RtchatProcess alice = rtchat.start("alice", "peer", "--name", "alice", "--signal", signal + "?room=ws-room",
        "--json", "--no-progress");
    RtchatProcess bob = rtchat.start("bob", "peer", "--name", "bob", "--signal", signal, "--room", "ws-room",
        "--json", "--no-progress");
    assertThat(alice.awaitEvent("ready", seconds(60), e -> true).path("transport").asText()).isEqualTo("ws");
    alice.awaitEvent("connected", seconds(60), e -> e.path("peer").asText().equals("bob"));
    bob.awaitEvent("connected", seconds(30), e -> e.path("peer").asText().equals("alice"));
    bob.send("over the relay");
    alice.awaitEvent("message", seconds(10), e -> e.path("text").asText().equals("over the relay"));
    alice.send("/quit");
    bob.awaitEvent("disconnected", seconds(5), e -> e.path("peer").asText().equals("alice"));
    assertThat(alice.awaitExit(seconds(20))).isZero();
    bob.closeStdin();
    assertThat(bob.awaitExit(seconds(20))).isZero();

    // The server's key directory (/api/keys): register a key, then trust it by fingerprint.
    Path key = dir.resolve("carol.key");
    String fingerprint = rtchat.run("init", "keys", "init", "--identity", key.toString()).get(0);
    assertThat(rtchat.run("register", "keys", "register", "--server", http, "--identity", key.toString(),
        "--name", "carol").get(0)).contains(fingerprint);
    Path known = dir.resolve("known_peers");
    assertThat(rtchat.run("trust", "keys", "trust", "carol", fingerprint, "--server", http,
        "--known-peers", known.toString()).get(0)).contains(fingerprint);
    assertThat(rtchat.run("list", "keys", "list", "--known-peers", known.toString()))
        .containsExactly("carol ed25519 " + fingerprint);

    server.terminate();
    server.awaitExit(seconds(20));
    assertThat(server.stdoutLines()).hasSize(1);
  }

  @Test
  void peersWithAcceptKnownFindEachOthersKeysInTheServersDirectory() throws Exception {
    RtchatProcess server = rtchat.start("server", "server", "--port", "0", "--no-broker");
    String http = server.awaitListening();
    String signal = http.replace("http://", "ws://") + "/signal?room=directory-room";
    Path aliceKey = dir.resolve("alice.key");
    Path bobKey = dir.resolve("bob.key");
    String aliceFingerprint = rtchat.run("init-alice", "keys", "init", "--identity", aliceKey.toString()).get(0);
    String bobFingerprint = rtchat.run("init-bob", "keys", "init", "--identity", bobKey.toString()).get(0);
    rtchat.run("register-alice", "keys", "register", "--server", http, "--identity", aliceKey.toString(), "--name", "alice");
    rtchat.run("register-bob", "keys", "register", "--server", http, "--identity", bobKey.toString(), "--name", "bob");

    RtchatProcess alice = rtchat.start("alice", "peer", "--name", "alice", "--signal", signal, "--json",
        "--no-progress", "--identity", aliceKey.toString(), "--accept", "known",
        "--known-peers", dir.resolve("alice_known").toString(), "--key-server", http);
    RtchatProcess bob = rtchat.start("bob", "peer", "--name", "bob", "--signal", signal, "--json",
        "--no-progress", "--identity", bobKey.toString(), "--accept", "known",
        "--known-peers", dir.resolve("bob_known").toString(), "--key-server", http);

    JsonNode seenByAlice = alice.awaitEvent("connected", seconds(60), e -> e.path("peer").asText().equals("bob"));
    JsonNode seenByBob = bob.awaitEvent("connected", seconds(30), e -> e.path("peer").asText().equals("alice"));
    assertThat(seenByAlice.path("fingerprint").asText()).isEqualTo(bobFingerprint);
    assertThat(seenByAlice.path("verified").asBoolean()).isTrue();
    assertThat(seenByBob.path("fingerprint").asText()).isEqualTo(aliceFingerprint);
    assertThat(seenByBob.path("verified").asBoolean()).isTrue();
  }

  @Test
  void aBadConfigFileExitsOneNamingTheFile() throws Exception {
    Path config = dir.resolve("settings.toml");
    Files.writeString(config, "Title = \"x\"\nNoSuchKey = 1\n");
    RtchatProcess server = rtchat.start("bad-config", "server", "--config", config.toString(),
        "--port", "0", "--no-broker");
    assertThat(server.awaitExit(seconds(60))).isEqualTo(1);
    assertThat(server.stderrText()).contains("settings.toml").contains("NoSuchKey");
    assertThat(server.stdoutLines()).isEmpty();
  }

  @Test
  void theBrokerListensWhereTheConfigFileSays() throws Exception {
    int brokerPort;
    try (ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      brokerPort = free.getLocalPort();
    }
    Path config = dir.resolve("broker.toml");
    Files.writeString(config, "[Broker]\nPort = " + brokerPort + "\nWebSocketPort = 0\n");
    RtchatProcess server = rtchat.start("broker-config", "server", "--config", config.toString(),
        "--port", "0");
    server.awaitListening();

    RtchatProcess alice = rtchat.start("alice", "peer", "--name", "alice", "--signal",
        "mqtt://127.0.0.1:" + brokerPort + "?version=3", "--room", "config-room", "--json",
        "--no-progress");
    assertThat(alice.awaitEvent("ready", seconds(60), e -> true).path("transport").asText())
        .isEqualTo("mqtt");
  }

  @Test
  void aBrokerPortInUseExitsOneWithOneLineSayingWhatToChange() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      RtchatProcess server = rtchat.start("taken", "server", "--port", "0", "--broker-port",
          Integer.toString(taken.getLocalPort()), "--broker-ws-port", "0");
      assertThat(server.awaitExit(seconds(60))).isEqualTo(1);
      assertThat(server.stderrText())
          .contains("127.0.0.1:" + taken.getLocalPort() + " (MQTT): Address already in use")
          .contains("--broker-port").contains("--no-broker")
          .doesNotContain("\tat ");
      assertThat(server.stdoutLines()).isEmpty();
    }
  }

  @Test
  void printDefaultConfigWritesACommentedSettingsFile() throws Exception {
    RtchatProcess print = rtchat.start("print", "server", "--print-default-config");
    assertThat(print.awaitExit(seconds(60))).isEqualTo(0);
    assertThat(String.join("\n", print.stdoutLines())).contains("Title").contains("[JWT]").contains("#");
  }

  @Test
  void aServerWithABackplaneConnectsToTheBroker() throws Exception {
    try (Mosquitto broker = Mosquitto.start()) { // the backplane speaks MQTT 5: not Moquette
      RtchatProcess server = rtchat.start("backplane", "server", "--port", "0", "--no-broker",
          "--backplane", broker.uri().toString());
      URI metrics = URI.create(server.awaitListening() + "/metrics");
      HttpClient http = HttpClient.newHttpClient();
      Awaitility.await().atMost(seconds(30)).until(() -> http.send(HttpRequest.newBuilder(metrics).build(),
          HttpResponse.BodyHandlers.ofString()).body().lines()
          .anyMatch(line -> line.startsWith("rtchat_backplane_connected") && line.endsWith(" 1.0")));
    }
  }
}
