package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownPeersTest {

  @TempDir Path dir;

  private final Identity bob = Identity.generate();
  private final Identity mallory = Identity.generate();

  private KnownPeers peers(TrustPolicy policy) {
    return KnownPeers.builder().file(dir.resolve("known_peers")).policy(policy).build();
  }

  @Test
  void acceptNewStoresTheFirstKeyAndRejectsAnotherLoudly() throws Exception {
    KnownPeers peers = peers(TrustPolicy.ACCEPT_NEW);

    KnownPeers.Decision first = peers.check("bob", bob.publicKey());
    KnownPeers.Decision again = peers.check("bob", bob.publicKey());
    KnownPeers.Decision impostor = peers.check("bob", mallory.publicKey());

    assertThat(first.trusted()).isTrue();
    assertThat(first.stored()).isTrue();
    assertThat(again.trusted()).isTrue();
    assertThat(again.stored()).isFalse();
    assertThat(impostor.trusted()).isFalse();
    assertThat(impostor.reason())
        .contains(mallory.fingerprint(), bob.fingerprint(), dir.resolve("known_peers") + ":1");
    assertThat(Files.readAllLines(dir.resolve("known_peers")))
        .containsExactly("bob ed25519 " + PublicKeys.toBase64(bob.publicKey()));
  }

  @Test
  void handEditsAreSeenByTheNextCheck() throws Exception {
    Path file = dir.resolve("known_peers");
    KnownPeers peers = peers(TrustPolicy.STRICT);
    peers.add("bob", bob.publicKey(), null);
    assertThat(peers.check("bob", bob.publicKey()).trusted()).isTrue();

    Files.writeString(file, "bob ed25519 " + PublicKeys.toBase64(mallory.publicKey()) + "\n");

    assertThat(peers.check("bob", bob.publicKey()).trusted()).isFalse();
    assertThat(peers.check("bob", mallory.publicKey()).trusted()).isTrue();
  }

  @Test
  void strictTrustsOnlyListedKeys() throws Exception {
    KnownPeers peers = peers(TrustPolicy.STRICT);
    peers.add("bob", bob.publicKey(), "added by hand");

    assertThat(peers.check("bob", bob.publicKey()).trusted()).isTrue();
    assertThat(peers.check("bob", mallory.publicKey()).trusted()).isFalse();
    KnownPeers.Decision stranger = peers.check("carol", mallory.publicKey());
    assertThat(stranger.trusted()).isFalse();
    assertThat(stranger.reason()).contains("strict", "rtchat keys trust carol " + mallory.fingerprint());
    assertThat(peers.entries()).hasSize(1);
  }

  @Test
  void askPolicyConsultsTheCallbackAndStoresAYes() throws Exception {
    List<String> asked = new ArrayList<>();
    KnownPeers peers = KnownPeers.builder().file(dir.resolve("known_peers")).policy(TrustPolicy.ASK)
        .ask((name, type, fingerprint) -> {
          asked.add(name + " " + fingerprint);
          if (name.equals("dave")) {
            throw new IllegalStateException("no terminal");
          }
          return name.equals("bob");
        }).build();

    assertThat(peers.check("bob", bob.publicKey()).trusted()).isTrue();
    assertThat(peers.check("carol", mallory.publicKey()).trusted()).isFalse();
    assertThat(peers.check("bob", bob.publicKey()).trusted()).isTrue();

    assertThat(peers.check("dave", mallory.publicKey()).trusted()).isFalse();
    assertThat(asked).containsExactly("bob " + bob.fingerprint(), "carol " + mallory.fingerprint(),
        "dave " + mallory.fingerprint());
    assertThat(peers.entries()).extracting(KnownPeers.Entry::name).containsExactly("bob");
  }

  @Test
  void rewritesKeepCommentsBlankLinesAndHandEdits() throws Exception {
    Path file = dir.resolve("known_peers");
    String carolKey = PublicKeys.toBase64(Identity.generate(KeyType.RSA_PSS).publicKey());
    Files.writeString(file, "# my peers\n\n# work\ncarol   rsa-pss " + carolKey + "  the boss\n"
        + "bob ed25519 " + PublicKeys.toBase64(mallory.publicKey()) + "\n");
    KnownPeers peers = peers(TrustPolicy.ACCEPT_NEW);

    peers.trust("bob", bob.publicKey(), "re-keyed");
    peers.add("dave", mallory.publicKey(), null);

    assertThat(Files.readAllLines(file)).containsExactly(
        "# my peers",
        "",
        "# work",
        "carol   rsa-pss " + carolKey + "  the boss",
        "bob ed25519 " + PublicKeys.toBase64(bob.publicKey()) + " re-keyed",
        "dave ed25519 " + PublicKeys.toBase64(mallory.publicKey()));
    assertThat(peers.entries()).extracting(KnownPeers.Entry::comment)
        .containsExactly("the boss", "re-keyed", null);

    assertThat(peers.remove("dave")).isEqualTo(1);
    assertThat(Files.readAllLines(file)).hasSize(5).startsWith("# my peers");
  }

  @Test
  void malformedLinesAreReportedWithFileAndLineAndNeverTrusted() throws Exception {
    Path file = dir.resolve("known_peers");
    Files.writeString(file, "# ok\nbob ed25519 not-a-key\n");
    KnownPeers peers = peers(TrustPolicy.ACCEPT_NEW);

    KnownPeers.Decision decision = peers.check("bob", bob.publicKey());

    assertThat(decision.trusted()).isFalse();
    assertThat(decision.reason()).contains(file + ":2");
    assertThat(Files.readString(file)).isEqualTo("# ok\nbob ed25519 not-a-key\n");
  }

  @Test
  void concurrentWritersFromThreadsAndInstancesLoseNothingAndNeverTearTheFile() throws Exception {
    Path file = dir.resolve("known_peers");
    Files.writeString(file, "# shared\n");
    KnownPeers first = peers(TrustPolicy.ACCEPT_NEW);
    KnownPeers second = peers(TrustPolicy.ACCEPT_NEW);
    List<Identity> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add(Identity.generate());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        KnownPeers peers = i % 2 == 0 ? first : second;
        String name = "peer" + i;
        Identity key = keys.get(i);
        results.add(CompletableFuture.supplyAsync(() -> peers.check(name, key.publicKey()).trusted(), pool));
      }
      for (CompletableFuture<Boolean> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(41).first().isEqualTo("# shared");
    assertThat(first.entries()).hasSize(40);
    for (int i = 0; i < keys.size(); i++) {
      assertThat(first.check("peer" + i, keys.get(i).publicKey()).stored()).isFalse();
    }
  }

  @Test
  void keySourceVouchesForUnlistedNamesAndContradictsImpostors() {
    List<String> lookups = new java.util.concurrent.CopyOnWriteArrayList<>();
    KeySource directory = new KeySource() {
      @Override
      public java.util.Optional<java.security.PublicKey> lookup(String name) {
        lookups.add(name);
        return name.equals("bob") ? java.util.Optional.of(bob.publicKey()) : java.util.Optional.empty();
      }

      @Override
      public String describe() {
        return "test directory";
      }
    };
    KnownPeers peers = KnownPeers.builder().policy(TrustPolicy.STRICT).source(directory).build();

    assertThat(peers.check("bob", bob.publicKey()).trusted()).isTrue();
    assertThat(peers.check("bob", bob.publicKey()).trusted()).isTrue();
    assertThat(lookups).hasSize(1); // answers are remembered for a minute
    KnownPeers.Decision impostor = peers.check("bob", mallory.publicKey());
    assertThat(impostor.trusted()).isFalse();
    assertThat(impostor.reason()).contains("test directory", bob.fingerprint());
    assertThat(peers.check("carol", mallory.publicKey()).trusted()).isFalse();
  }

  @Test
  void invalidNamesAreNeverTrusted() {
    KnownPeers peers = KnownPeers.builder().build();

    assertThat(peers.check("", bob.publicKey()).trusted()).isFalse();
    assertThat(peers.check("bob\n", bob.publicKey()).trusted()).isFalse();
    assertThat(peers.check("b".repeat(65), bob.publicKey()).trusted()).isFalse();
  }

  @Test
  void namesWithSpacesPercentAndLeadingHashAreEscapedInTheFile() throws Exception {
    KnownPeers peers = peers(TrustPolicy.ACCEPT_NEW);

    assertThat(peers.check("Bob Smith", bob.publicKey()).stored()).isTrue();
    assertThat(peers.check("#100% Ünïcødé", mallory.publicKey()).stored()).isTrue();

    assertThat(Files.readAllLines(dir.resolve("known_peers"))).extracting(l -> l.split(" ")[0])
        .containsExactly("Bob%20Smith", "%23100%25%20Ünïcødé");
    KnownPeers reread = peers(TrustPolicy.STRICT);
    assertThat(reread.check("Bob Smith", bob.publicKey()).trusted()).isTrue();
    assertThat(reread.check("#100% Ünïcødé", mallory.publicKey()).trusted()).isTrue();
    assertThat(reread.check("Bob Smith", mallory.publicKey()).trusted()).isFalse();
  }

  @Test
  void fingerprintPinFromTheCommandLineTrustsExactlyThatKey() throws Exception {
    KnownPeers peers = peers(TrustPolicy.STRICT);

    peers.trust("bob", bob.fingerprint(), "read out by phone");
    peers.trust("carol", PublicKeys.toBase64(mallory.publicKey()), null);

    assertThat(Files.readAllLines(dir.resolve("known_peers")))
        .containsExactly("bob " + bob.fingerprint() + " read out by phone",
            "carol ed25519 " + PublicKeys.toBase64(mallory.publicKey()));
    assertThat(peers.check("bob", bob.publicKey()).trusted()).isTrue();
    KnownPeers.Decision impostor = peers.check("bob", mallory.publicKey());
    assertThat(impostor.trusted()).isFalse();
    assertThat(impostor.reason()).contains(bob.fingerprint(), mallory.fingerprint());
    assertThat(peers.check("carol", mallory.publicKey()).trusted()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> peers.trust("dave", "SHA256:short", null))
        .isInstanceOf(KeyFormatException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> peers.trust("dave", "???", null))
        .isInstanceOf(KeyFormatException.class);
  }
}
