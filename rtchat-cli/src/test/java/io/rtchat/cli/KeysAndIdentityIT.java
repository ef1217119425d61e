package io.rtchat.cli;

import static io.rtchat.cli.RtchatProcess.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtchat.signal.mqtt.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code rtchat keys} and peers that verify each other's keys. */
class KeysAndIdentityIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final RtchatProcesses rtchat = new RtchatProcesses(() -> dir);

  @Test
  void peersWithKeysSeeEachOthersVerifiedFingerprints() throws Exception {
    Path aliceKey = dir.resolve("keys/alice");
    Path bobKey = dir.resolve("keys/bob");
    String aliceFingerprint = rtchat.run("init-alice", "keys", "init", "--identity", aliceKey.toString()).get(0);
    String bobFingerprint = rtchat.run("init-bob", "keys", "init", "--identity", bobKey.toString(),
        "--type", "ed25519").get(0);
    assertThat(aliceFingerprint).startsWith("SHA256:");
    assertThat(Files.getPosixFilePermissions(aliceKey))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    List<String> shown = rtchat.run("show-bob", "keys", "show", "--identity", bobKey.toString(), "--public-key");
    assertThat(shown.get(0)).isEqualTo(bobFingerprint);
    String bobPublicKey = shown.get(1).split(" ")[1];

    // alice accepts only known peers: bob is trusted by his public key.
    Path aliceKnown = dir.resolve("alice_known_peers");
    assertThat(rtchat.run("trust", "keys", "trust", "bob", bobPublicKey, "--known-peers", aliceKnown.toString()).get(0))
        .contains(bobFingerprint);
    assertThat(rtchat.run("list", "keys", "list", "--known-peers", aliceKnown.toString()))
        .containsExactly("bob ed25519 " + bobFingerprint);

    try (EmbeddedBroker broker = EmbeddedBroker.start(0, 0)) {
      String signal = "mqtt://127.0.0.1:" + broker.port() + "/keys-room";
      RtchatProcess alice = rtchat.start("alice", "peer", "--name", "alice", "--signal", signal, "--json",
          "--identity", aliceKey.toString(), "--known-peers", aliceKnown.toString(), "--accept", "known");
      RtchatProcess bob = rtchat.start("bob", "peer", "--name", "bob", "--signal", signal, "--json",
          "--identity", bobKey.toString(), "--known-peers", dir.resolve("bob_known_peers").toString());
      JsonNode seenByAlice = alice.awaitEvent("connected", seconds(60), e -> true);
      JsonNode seenByBob = bob.awaitEvent("connected", seconds(30), e -> true);
      assertThat(seenByAlice.path("peer").asText()).isEqualTo("bob");
      assertThat(seenByAlice.path("fingerprint").asText()).isEqualTo(bobFingerprint);
      assertThat(seenByAlice.path("verified").asBoolean()).isTrue();
      assertThat(seenByBob.path("fingerprint").asText()).isEqualTo(aliceFingerprint);
      assertThat(seenByBob.path("verified").asBoolean()).isTrue();
      alice.send("/quit");
      assertThat(alice.awaitExit(seconds(20))).isZero();
      bob.send("/quit");
      assertThat(bob.awaitExit(seconds(20))).isZero();
    }
    // bob stored alice's key on first use (accept all = trust on first use).
    assertThat(rtchat.run("list-bob", "keys", "list", "--known-peers", dir.resolve("bob_known_peers").toString()))
        .containsExactly("alice ed25519 " + aliceFingerprint);
  }

  @Test
  void aFingerprintAloneIsAUsageError() throws Exception {
    RtchatProcess trust = rtchat.start("trust-fp", "keys", "trust", "bob", "SHA256:abc",
        "--known-peers", dir.resolve("kp").toString());
    assertThat(trust.awaitExit(seconds(60))).isEqualTo(2);
    assertThat(trust.stderrText()).contains("fingerprint alone");
  }
}
