package io.rtchat.cli;

import static io.rtchat.cli.RtchatProcess.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtchat.signal.mqtt.EmbeddedBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtchat peer} as users and scripts run it: two real {@code java -jar rtchat.jar} processes
 * talking through an MQTT broker embedded in the test JVM, driven through stdin, observed through
 * their {@code --json} stdout.
 */
class PeerCommandIT {

  private static EmbeddedBroker broker;

  @TempDir
  Path dir;

  @RegisterExtension
  final RtchatProcesses rtchat = new RtchatProcesses(() -> dir);
  private final String room = "it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start(0, 0);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private RtchatProcess peer(String name, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("peer", "--name", name,
        "--signal", "mqtt://127.0.0.1:" + broker.port(), "--room", room, "--json", "--no-progress",
        "--receive-dir", dir.resolve(name + "-inbox").toString()));
    args.addAll(List.of(extra));
    return rtchat.start(name, args.toArray(String[]::new));
  }

  private static void awaitConnected(RtchatProcess a, String aName, RtchatProcess b, String bName)
      throws InterruptedException {
    a.awaitEvent("ready", seconds(60), e -> true);
    b.awaitEvent("ready", seconds(60), e -> true);
    a.awaitEvent("connected", seconds(60), e -> e.path("peer").asText().equals(bName));
    b.awaitEvent("connected", seconds(30), e -> e.path("peer").asText().equals(aName));
  }

  @Test
  void peersChatBothWaysAnswerEchoAndSeeQuitAsDisconnect() throws Exception {
    RtchatProcess alice = peer("alice");
    RtchatProcess bob = peer("bob");
    awaitConnected(alice, "alice", bob, "bob");

    JsonNode ready = alice.awaitEvent("ready", seconds(1), e -> true);
    assertThat(ready.path("name").asText()).isEqualTo("alice");
    assertThat(ready.path("room").asText()).isEqualTo(room);
    assertThat(ready.path("transport").asText()).isEqualTo("mqtt");
    JsonNode connected = alice.awaitEvent("connected", seconds(1), e -> true);
    assertThat(connected.has("fingerprint")).isTrue();
    assertThat(connected.path("verified").isBoolean()).isTrue();

    alice.send("hello bob");
    bob.awaitEvent("message", seconds(10),
        e -> e.path("from").asText().equals("alice") && e.path("text").asText().equals("hello bob"));
    bob.send("/msg alice hi alice, ünïcödé");
    alice.awaitEvent("message", seconds(10),
        e -> e.path("from").asText().equals("bob") && e.path("text").asText().equals("hi alice, ünïcödé"));

    alice.send("/ask bob echo hi");
    JsonNode answer = alice.awaitEvent("answer", seconds(10), e -> e.path("topic").asText().equals("echo"));
    assertThat(answer.path("from").asText()).isEqualTo("bob");
    assertThat(answer.path("answer").asText()).isEqualTo("hi");
    assertThat(answer.path("millis").isIntegralNumber()).isTrue();
    bob.awaitEvent("question", seconds(10), e -> e.path("from").asText().equals("alice")
        && e.path("topic").asText().equals("echo") && e.path("content").asText().equals("hi"));
    alice.send("/ask bob ping");
    alice.awaitEvent("answer", seconds(10), e -> e.path("topic").asText().equals("ping")
        && e.path("answer").asText().equals("pong"));

    alice.send("/peers");
    JsonNode peers = alice.awaitEvent("peers", seconds(10), e -> true);
    assertThat(peers.path("peers").get(0).path("peer").asText()).isEqualTo("bob");

    long quitAt = System.nanoTime();
    alice.send("/quit");
    bob.awaitEvent("disconnected", seconds(5), e -> e.path("peer").asText().equals("alice"));
    assertThat((System.nanoTime() - quitAt) / 1_000_000).isLessThan(5_000);
    assertThat(alice.awaitExit(seconds(20))).isZero();

    bob.closeStdin(); // end of stdin leaves like /quit
    assertThat(bob.awaitExit(seconds(20))).isZero();

    for (RtchatProcess p : List.of(alice, bob)) {
      assertThat(p.nonJsonLines()).as(p.label + " stdout holds only JSON lines").isEmpty();
      assertThat(p.stdoutLines()).isNotEmpty();
    }
  }

  @Test
  void fileArrivesWithMatchingSha256AndHostileNamesStayInsideTheReceiveDirectory() throws Exception {
    RtchatProcess alice = peer("alice");
    RtchatProcess bob = peer("bob");
    byte[] content = new byte[5 * 1024 * 1024];
    new Random(42).nextBytes(content);
    Path file = dir.resolve("data.bin");
    Files.write(file, content);
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    awaitConnected(alice, "alice", bob, "bob");

    alice.send("/send bob " + file.toAbsolutePath());
    JsonNode received = bob.awaitEvent("file", seconds(60), e -> e.path("name").asText().equals("data.bin"));
    assertThat(received.path("from").asText()).isEqualTo("alice");
    assertThat(received.path("bytes").asLong()).isEqualTo(content.length);
    assertThat(received.path("sha256").asText()).isEqualTo(sha256);
    Path stored = Path.of(received.path("path").asText());
    assertThat(stored).isEqualTo(dir.resolve("bob-inbox").resolve("data.bin").toAbsolutePath());
    assertThat(Files.readAllBytes(stored)).isEqualTo(content);
    JsonNode sent = alice.awaitEvent("sent", seconds(30), e -> e.path("peer").asText().equals("bob"));
    assertThat(sent.path("sha256").asText()).isEqualTo(sha256);

    Path small = dir.resolve("harmless.txt");
    Files.writeString(small, "not what it claims to be");
    String escape = "escaped-" + UUID.randomUUID();
    alice.send("/send bob " + small.toAbsolutePath() + " ../../" + escape);
    JsonNode warning = bob.awaitEvent("warning", seconds(30),
        e -> e.path("offered").asText().equals("../../" + escape));
    JsonNode hostile = bob.awaitEvent("file", seconds(30), e -> e.path("bytes").asLong() == 24);
    Path inbox = dir.resolve("bob-inbox").toAbsolutePath();
    Path landed = Path.of(hostile.path("path").asText());
    assertThat(landed.getParent()).isEqualTo(inbox);
    assertThat(Path.of(warning.path("path").asText())).isEqualTo(landed);
    assertThat(Files.readString(landed)).isEqualTo("not what it claims to be");
    assertThat(dir.getParent().resolve(escape)).doesNotExist(); // where ../../ would have led
    assertThat(dir.resolve(escape)).doesNotExist();

    alice.send("/send bob " + dir.resolve("no-such-file").toAbsolutePath());
    JsonNode error = alice.awaitEvent("error", seconds(10), e -> e.path("message").asText().contains("no-such-file"));
    assertThat(error.path("message").asText()).startsWith("cannot read");
    alice.send("still here");
    bob.awaitEvent("message", seconds(10), e -> e.path("text").asText().equals("still here"));

    long termAt = System.nanoTime();
    alice.terminate(); // SIGTERM leaves like /quit
    bob.awaitEvent("disconnected", seconds(5), e -> e.path("peer").asText().equals("alice"));
    assertThat((System.nanoTime() - termAt) / 1_000_000).isLessThan(5_000);
    alice.awaitExit(seconds(20));
    bob.send("/quit");
    assertThat(bob.awaitExit(seconds(20))).isZero();
    for (RtchatProcess p : List.of(alice, bob)) {
      assertThat(p.nonJsonLines()).as(p.label + " stdout holds only JSON lines").isEmpty();
    }
  }

  @Test
  void peersChatInTheRtchatDialect() throws Exception {
    RtchatProcess alice = peer("alice", "--dialect", "rtchat");
    RtchatProcess bob = peer("bob", "--dialect", "rtchat");
    awaitConnected(alice, "alice", bob, "bob");
    JsonNode connected = alice.awaitEvent("connected", seconds(1), e -> true);
    assertThat(connected.path("verified").asBoolean()).isTrue(); // RTChat's RSA-PSS identify
    alice.send("hello in rtchat");
    bob.awaitEvent("message", seconds(10), e -> e.path("text").asText().equals("hello in rtchat"));
    bob.send("/ask alice echo hi");
    bob.awaitEvent("answer", seconds(10), e -> e.path("answer").asText().equals("hi"));
    alice.send("/quit");
    bob.awaitEvent("disconnected", seconds(5), e -> e.path("peer").asText().equals("alice"));
    assertThat(alice.awaitExit(seconds(20))).isZero();
    bob.closeStdin();
    assertThat(bob.awaitExit(seconds(20))).isZero();
    for (RtchatProcess p : List.of(alice, bob)) {
      assertThat(p.nonJsonLines()).as(p.label + " stdout holds only JSON lines").isEmpty();
    }
  }

  @Test
  void acceptNoneRejectsAndAcceptKnownNeedsAList() throws Exception {
    RtchatProcess alice = peer("alice");
    RtchatProcess bob = peer("bob", "--accept", "none");
    JsonNode rejected = bob.awaitEvent("rejected", seconds(60), e -> e.path("peer").asText().equals("alice"));
    assertThat(rejected.path("reason").asText()).isNotBlank();
    assertThat(alice.stdoutLines()).noneMatch(line -> line.contains("\"connected\""));
    bob.send("/quit");
    assertThat(bob.awaitExit(seconds(20))).isZero();

    RtchatProcess carol = peer("carol", "--accept", "known");
    assertThat(carol.awaitExit(seconds(30))).isEqualTo(2);
    assertThat(carol.stderrText()).contains("--known-peers");
  }

  @Test
  void peersWithTheSameRoomPasswordConnect() throws Exception {
    RtchatProcess alice = peer("alice", "--password", "correct horse");
    RtchatProcess bob = peer("bob", "--password", "correct horse");
    awaitConnected(alice, "alice", bob, "bob");
    alice.send("sealed signaling");
    bob.awaitEvent("message", seconds(10), e -> e.path("text").asText().equals("sealed signaling"));
  }

  @Test
  void withoutJsonEventsAreHumanReadableLines() throws Exception {
    RtchatProcess alice = rtchat.start("alice-human", "peer",
        "--name", "alice", "--signal", "mqtt://127.0.0.1:" + broker.port() + "/" + room);
    RtchatProcess bob = peer("bob");
    alice.awaitLine("joined line", seconds(60), line -> line.startsWith("* joined room " + room + " as alice"));
    alice.awaitLine("connected line", seconds(60), line -> line.startsWith("* bob connected"));
    bob.awaitEvent("connected", seconds(30), e -> e.path("peer").asText().equals("alice"));
    bob.send("hello human");
    alice.awaitLine("message line", seconds(10), line -> line.equals("<bob> hello human"));
    alice.send("/ask bob echo hi");
    alice.awaitLine("answer line", seconds(10), line -> line.startsWith("= bob answered echo: hi ("));
    alice.send("/nonsense");
    alice.awaitLine("error line", seconds(10), line -> line.startsWith("! error: unknown command /nonsense"));
    alice.closeStdin();
    assertThat(alice.awaitExit(seconds(20))).isZero();
    assertThat(alice.stdoutLines()).allMatch(line -> line.startsWith("* ") || line.startsWith("<")
        || line.startsWith("= ") || line.startsWith("! ") || line.startsWith("  "));
  }

  @Test
  void unknownSchemeIsAUsageErrorListingTheAvailableSchemes() throws Exception {
    RtchatProcess p = rtchat.start("scheme",
        "peer", "--name", "alice", "--signal", "carrier-pigeon://coop/lobby");
    assertThat(p.awaitExit(seconds(30))).isEqualTo(2);
    assertThat(p.stderrText()).contains("carrier-pigeon").contains("mqtt").contains("ws")
        .contains("mem");
  }

  @Test
  void refusedBrokerIsAnErrorEventAndExitOne() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    long started = System.nanoTime();
    RtchatProcess p = rtchat.start("refused",
        "peer", "--name", "alice", "--signal", "mqtt://127.0.0.1:" + closedPort + "/lobby", "--json");
    assertThat(p.awaitExit(seconds(30))).isEqualTo(1);
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(10_000);
    JsonNode error = p.awaitEvent("error", seconds(1), e -> true);
    assertThat(error.path("message").asText()).contains("127.0.0.1:" + closedPort);
    assertThat(p.nonJsonLines()).isEmpty();
  }

  @Test
  void silentBrokerIsAnErrorEventAndExitOneAfterTheJoinTimeout() throws Exception {
    // A socket that accepts and never answers: the MQTT client's CONNACK timeout or the CLI's
    // join timeout (7 s), whichever comes first, ends the wait.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
      List<java.net.Socket> held = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(silent.accept());
          }
        } catch (IOException e) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      RtchatProcess p = rtchat.start("silent", "peer", "--name", "alice",
          "--signal", "mqtt://127.0.0.1:" + silent.getLocalPort() + "/lobby", "--json");
      // The bound includes JVM start-up (about 2 s here, more on a loaded machine).
      long started = System.nanoTime();
      assertThat(p.awaitExit(seconds(30))).isEqualTo(1);
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(millis).isLessThan(15_000L);
      JsonNode error = p.awaitEvent("error", seconds(1), e -> true);
      assertThat(error.path("message").asText()).containsAnyOf(
          "127.0.0.1:" + silent.getLocalPort(), "no answer within 7 s");
      assertThat(p.nonJsonLines()).isEmpty();
      for (java.net.Socket socket : held) {
        socket.close();
      }
    }
  }
}
