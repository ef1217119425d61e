package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.core.auth.AuthResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdentityAuthenticatorTest {

  private final Identity alice = Identity.generate(KeyType.ED25519);
  private final Identity bob = Identity.generate(KeyType.RSA_PSS);
  private final KnownPeers aliceKnows = KnownPeers.builder().build();
  private final KnownPeers bobKnows = KnownPeers.builder().build();
  private FakeExchange[] pair;

  @AfterEach
  void close() {
    if (pair != null) {
      pair[0].close();
      pair[1].close();
    }
  }

  private IdentityAuthenticator authenticator(Identity identity, KnownPeers knownPeers) {
    return IdentityAuthenticator.builder().identity(identity).knownPeers(knownPeers)
        .timeout(Duration.ofSeconds(5)).build();
  }

  private AuthResult[] run(Identity a, KnownPeers aKnows, Identity b, KnownPeers bKnows)
      throws Exception {
    CompletableFuture<AuthResult> left =
        authenticator(a, aKnows).authenticate(pair[0]).toCompletableFuture();
    CompletableFuture<AuthResult> right =
        authenticator(b, bKnows).authenticate(pair[1]).toCompletableFuture();
    return new AuthResult[] {left.get(10, TimeUnit.SECONDS), right.get(10, TimeUnit.SECONDS)};
  }

  @Test
  void peersWithKeysVerifyEachOtherAndLearnEachOthersFingerprint() throws Exception {
    pair = FakeExchange.pair("alice", "bob", "lobby");

    AuthResult[] results = run(alice, aliceKnows, bob, bobKnows);

    assertThat(results[0].verified()).isTrue();
    assertThat(results[0].fingerprint()).isEqualTo(bob.fingerprint());
    assertThat(results[1].verified()).isTrue();
    assertThat(results[1].fingerprint()).isEqualTo(alice.fingerprint());
    assertThat(aliceKnows.entries()).extracting(KnownPeers.Entry::fingerprint)
        .containsExactly(bob.fingerprint());
  }

  @Test
  void manInTheMiddleWithRewrittenDtlsFingerprintsFailsOnBothSides() throws Exception {
    // Mallory swapped the fingerprints on the broker and terminates DTLS on both legs: alice sees
    // (A, M1), bob sees (B, M2). She relays the authentication messages unchanged.
    pair = FakeExchange.pair("alice", "bob", "lobby",
        FakeExchange.dtls(1), FakeExchange.dtls(91), FakeExchange.dtls(2), FakeExchange.dtls(92));

    AuthResult[] results = run(alice, aliceKnows, bob, bobKnows);

    for (AuthResult result : results) {
      assertThat(result.accepted()).isFalse();
      assertThat(result.verified()).isFalse();
      assertThat(result.reason()).contains("does not match this connection");
    }
    assertThat(aliceKnows.entries()).isEmpty();
  }

  @Test
  void differentRoomOrNameInEitherViewFailsTheProof() throws Exception {
    pair = new FakeExchange[] {
        new FakeExchange("alice", "bob", "lobby", true, FakeExchange.dtls(1), FakeExchange.dtls(2)),
        new FakeExchange("bob", "alice", "other-room", false, FakeExchange.dtls(2), FakeExchange.dtls(1))};
    pair[0].peer = pair[1];
    pair[1].peer = pair[0];

    AuthResult[] results = run(alice, aliceKnows, bob, bobKnows);

    assertThat(results[0].accepted()).isFalse();
    assertThat(results[1].accepted()).isFalse();
  }

  @Test
  void changedKeyForAKnownNameIsRejectedAndBothSidesSayWhy() throws Exception {
    aliceKnows.add("bob", Identity.generate().publicKey(), null);
    pair = FakeExchange.pair("alice", "bob", "lobby");

    AuthResult[] results = run(alice, aliceKnows, bob, bobKnows);

    assertThat(results[0].accepted()).isFalse();
    assertThat(results[0].reason()).contains("KEY MISMATCH", bob.fingerprint());
    assertThat(results[1].accepted()).isFalse();
    assertThat(results[1].reason()).contains("alice rejected this connection", "KEY MISMATCH");
  }

  @Test
  void strictPolicyRejectsAnUnknownPeer() throws Exception {
    KnownPeers strict = KnownPeers.builder().policy(TrustPolicy.STRICT).build();
    pair = FakeExchange.pair("alice", "bob", "lobby");

    AuthResult[] results = run(alice, strict, bob, bobKnows);

    assertThat(results[0].accepted()).isFalse();
    assertThat(results[0].reason()).contains("strict");
    assertThat(results[1].accepted()).isFalse();
  }

  @Test
  void helloUnderAnotherNameThanSignaledIsRejected() throws Exception {
    pair = FakeExchange.pair("alice", "bob", "lobby");
    CompletableFuture<AuthResult> left =
        authenticator(alice, aliceKnows).authenticate(pair[0]).toCompletableFuture();
    pair[1].send(WireJson.write(WireJson.object().put("t", "hello").put("v", 1).put("n", "carol")
        .put("kt", "ed25519").put("k", PublicKeys.toBase64(bob.publicKey()))
        .put("c", WireJson.base64(new byte[32]))));

    AuthResult result = left.get(10, TimeUnit.SECONDS);

    assertThat(result.accepted()).isFalse();
    assertThat(result.reason()).contains("carol", "bob");
  }

  @Test
  void garbageFromTheOtherSideIsRejectedWithAReasonNeverAnException() throws Exception {
    String[] garbage = {
        "not json", "{}", "[]", "{\"t\":1}", "x".repeat(20_000),
        "{\"t\":\"hello\",\"v\":1,\"n\":\"bob\",\"kt\":\"ed25519\",\"k\":\"AAAA\",\"c\":\"AAAA\"}",
        "{\"t\":\"hello\",\"v\":1,\"n\":\"bob\",\"kt\":\"rot13\",\"k\":\"AAAA\",\"c\":\"AAAA\"}",
        "{\"t\":\"hello\",\"v\":2,\"n\":\"bob\"}",
        "{\"t\":\"proof\",\"s\":\"AAAA\"}",
        "{\"t\":\"hello\",\"v\":1,\"n\":\"bob\",\"kt\":\"ed25519\",\"k\":\""
            + PublicKeys.toBase64(alice.publicKey()) + "\",\"c\":\"AAAA\"}"};
    for (String message : garbage) {
      FakeExchange[] exchanges = FakeExchange.pair("alice", "bob", "lobby");
      try {
        CompletableFuture<AuthResult> left =
            authenticator(alice, aliceKnows).authenticate(exchanges[0]).toCompletableFuture();
        exchanges[1].send(message);

        AuthResult result = left.get(10, TimeUnit.SECONDS);

        assertThat(result.accepted()).as(message).isFalse();
        assertThat(result.reason()).as(message).isNotBlank();
        assertThat(exchanges[0].sent).last().asString().contains("\"t\":\"reject\"");
      } finally {
        exchanges[0].close();
        exchanges[1].close();
      }
    }
  }

  @Test
  void silentPeerTimesOut() throws Exception {
    pair = FakeExchange.pair("alice", "bob", "lobby");
    IdentityAuthenticator impatient = IdentityAuthenticator.builder().identity(alice)
        .knownPeers(aliceKnows).timeout(Duration.ofMillis(200)).build();

    AuthResult result = impatient.authenticate(pair[0]).toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(result.accepted()).isFalse();
    assertThat(result.reason()).contains("timed out");
  }

  @Test
  void connectionWithoutDtlsFingerprintsCannotBeBound() throws Exception {
    pair = FakeExchange.pair("alice", "bob", "lobby", null, FakeExchange.dtls(2),
        FakeExchange.dtls(2), null);

    AuthResult result = authenticator(alice, aliceKnows).authenticate(pair[0])
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(result.accepted()).isFalse();
    assertThat(result.reason()).contains("DTLS fingerprint");
  }

  @Test
  void fingerprintSpellingDoesNotMatterButItsValueDoes() {
    String upper = FakeExchange.dtls(5);
    String lower = "SHA-256   " + upper.substring(8).toLowerCase();

    assertThat(Transcript.normalizeDtlsFingerprint(lower)).isEqualTo(upper);
    assertThat(Transcript.normalizeDtlsFingerprint("sha-256 zz")).isNull();
  }
}
