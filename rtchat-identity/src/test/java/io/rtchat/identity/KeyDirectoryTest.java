package io.rtchat.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeyDirectoryTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SignedEnvelopeSealerTest.MutableClock clock =
      new SignedEnvelopeSealerTest.MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
  private final KeyDirectory directory = KeyDirectory.builder().clock(clock)
      .challengeLifetime(Duration.ofMinutes(2)).maxChallenges(50).build();
  private final Identity alice = Identity.generate();
  private final Identity mallory = Identity.generate();

  private JsonNode json(KeyDirectory.Reply reply) throws IOException {
    return JSON.readTree(reply.json());
  }

  private String challenge() throws IOException {
    KeyDirectory.Reply reply = directory.handle("GET", "/api/keys/challenge", null);
    assertThat(reply.status()).isEqualTo(200);
    return json(reply).get("challenge").asText();
  }

  private String registration(String name, Identity key, Identity previous, String challenge) {
    byte[] signed = KeyDirectory.signedBytes(challenge, name, key.type(),
        PublicKeys.spki(key.publicKey()));
    var body = WireJson.object().put("name", name).put("keyType", key.type().id())
        .put("publicKey", PublicKeys.toBase64(key.publicKey())).put("challenge", challenge)
        .put("signature", WireJson.base64(key.sign(signed)));
    if (previous != null) {
      body.put("previousSignature", WireJson.base64(previous.sign(signed)));
    }
    return WireJson.write(body);
  }

  @Test
  void registeredKeyCanBeLookedUp() throws Exception {
    KeyDirectory.Reply created = directory.handle("POST", "/api/keys",
        registration("alice", alice, null, challenge()));
    KeyDirectory.Reply found = directory.handle("GET", "/api/keys/alice", null);

    assertThat(created.status()).isEqualTo(201);
    assertThat(found.status()).isEqualTo(200);
    assertThat(json(found).get("fingerprint").asText()).isEqualTo(alice.fingerprint());
    assertThat(json(found).get("publicKey").asText()).isEqualTo(PublicKeys.toBase64(alice.publicKey()));
    assertThat(directory.handle("GET", "/api/keys/bob", null).status()).isEqualTo(404);
  }

  @Test
  void hijackWithoutTheOldKeyIsForbiddenWithAJsonError() throws Exception {
    directory.handle("POST", "/api/keys", registration("alice", alice, null, challenge()));

    KeyDirectory.Reply hijack = directory.handle("POST", "/api/keys",
        registration("alice", mallory, null, challenge()));
    KeyDirectory.Reply forgedConsent = directory.handle("POST", "/api/keys",
        registration("alice", mallory, mallory, challenge()));

    assertThat(hijack.status()).isEqualTo(403);
    assertThat(json(hijack).get("error").asText()).contains(alice.fingerprint(), "previousSignature");
    assertThat(forgedConsent.status()).isEqualTo(403);
    assertThat(directory.lookup("alice").orElseThrow().fingerprint()).isEqualTo(alice.fingerprint());
  }

  @Test
  void keyChangeSignedByTheOldKeyIsAccepted() throws Exception {
    directory.handle("POST", "/api/keys", registration("alice", alice, null, challenge()));
    Identity newKey = Identity.generate(KeyType.RSA_PSS);

    KeyDirectory.Reply changed = directory.handle("POST", "/api/keys",
        registration("alice", newKey, alice, challenge()));

    assertThat(changed.status()).isEqualTo(200);
    assertThat(directory.lookup("alice").orElseThrow().fingerprint()).isEqualTo(newKey.fingerprint());
  }

  @Test
  void challengesAreSingleUseAndExpire() throws Exception {
    String challenge = challenge();
    String body = registration("alice", alice, null, challenge);
    assertThat(directory.handle("POST", "/api/keys", body).status()).isEqualTo(201);
    assertThat(directory.handle("POST", "/api/keys", body).status()).isEqualTo(403);

    String stale = challenge();
    clock.advance(Duration.ofMinutes(3));
    KeyDirectory.Reply expired = directory.handle("POST", "/api/keys",
        registration("bob", mallory, null, stale));
    assertThat(expired.status()).isEqualTo(403);
    assertThat(json(expired).get("error").asText()).contains("challenge");

    KeyDirectory.Reply invented = directory.handle("POST", "/api/keys",
        registration("bob", mallory, null, "made-up"));
    assertThat(invented.status()).isEqualTo(403);
  }

  @Test
  void signatureOverAnotherNameIsForbidden() throws Exception {
    String challenge = challenge();
    String forBob = registration("bob", alice, null, challenge);

    KeyDirectory.Reply reply = directory.handle("POST", "/api/keys", forBob.replace("\"bob\"", "\"carol\""));

    assertThat(reply.status()).isEqualTo(403);
  }

  @Test
  void malformedRequestsAreBadRequestsNeverServerErrors() throws Exception {
    String challenge = challenge();
    String good = registration("alice", alice, null, challenge);
    String[] bodies = {
        null, "", "not json", "[]", "{}", "{\"name\":1}", "x".repeat(20_000),
        good.replace("\"ed25519\"", "\"rsa-pss\""),
        good.replace("\"ed25519\"", "\"dsa\""),
        good.replace("\"name\":\"alice\"", "\"name\":\"a\\nb\""),
        good.replace("\"name\":\"alice\"", "\"name\":\"" + "a".repeat(65) + "\""),
        good.replaceFirst("\"publicKey\":\"[^\"]+\"", "\"publicKey\":\"AAAA\""),
        good.replaceFirst("\"publicKey\":\"[^\"]+\"", "\"publicKey\":\"%%%\""),
        good.replaceFirst("\"signature\":\"[^\"]+\"", "\"signature\":\"%%%\""),
        good.replaceFirst("\"signature\":\"[^\"]+\"", "\"signature\":[1]"),
        good.replaceFirst(",\"challenge\":\"[^\"]+\"", ""),
        "{\"name\":\"alice\",\"keyType\":\"ed25519\",\"publicKey\":{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}}"};
    for (String body : bodies) {
      KeyDirectory.Reply reply = directory.handle("POST", "/api/keys", body);
      assertThat(reply.status()).as(String.valueOf(body)).isEqualTo(400);
      assertThat(json(reply).get("error").asText()).as(String.valueOf(body)).isNotBlank();
    }
    // the challenge survived the malformed attempts
    assertThat(directory.handle("POST", "/api/keys", good).status()).isEqualTo(201);
  }

  @Test
  void randomlyMutatedRequestsNeverCauseServerErrors() throws Exception {
    java.util.Random random = new java.util.Random(42);
    String good = registration("alice", alice, null, challenge());
    String[] methods = {"GET", "POST", "PUT", "get", ""};
    for (int i = 0; i < 400; i++) {
      char[] body = good.toCharArray();
      for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
        body[random.nextInt(body.length)] = (char) random.nextInt(0x80);
      }
      String path = random.nextInt(4) == 0
          ? "/api/keys/" + new String(body, 0, random.nextInt(Math.min(body.length, 80)))
          : "/api/keys";
      KeyDirectory.Reply reply = directory.handle(methods[random.nextInt(methods.length)], path,
          new String(body, 0, random.nextInt(body.length + 1)));
      assertThat(reply.status()).as(path).isBetween(200, 499);
      JSON.readTree(reply.json());
    }
  }

  @Test
  void unknownPathsMethodsAndNamesGiveClientErrors() {
    assertThat(directory.handle("GET", "/api/keys", null).status()).isEqualTo(405);
    assertThat(directory.handle("DELETE", "/api/keys/alice", null).status()).isEqualTo(405);
    assertThat(directory.handle("GET", "/api/other", null).status()).isEqualTo(404);
    assertThat(directory.handle("GET", "/api/keys/%zz", null).status()).isEqualTo(400);
    assertThat(directory.handle("GET", "/api/keys/a%20b", null).status()).isEqualTo(404);
    assertThat(directory.handle("GET", "/api/keys/a%0Ab", null).status()).isEqualTo(400);
    assertThat(directory.handle(null, null, null).status()).isEqualTo(400);
  }

  @Test
  void outstandingChallengesAreBounded() {
    for (int i = 0; i < 50; i++) {
      directory.challenge();
    }
    assertThat(directory.handle("GET", "/api/keys/challenge", null).status()).isEqualTo(429);
    clock.advance(Duration.ofMinutes(3));
    assertThat(directory.handle("GET", "/api/keys/challenge", null).status()).isEqualTo(200);
  }

  @Test
  void clientRegistersLooksUpAndServesAsKnownPeersSource() throws Exception {
    KeyDirectory live = KeyDirectory.builder().build();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/keys", exchange -> {
      byte[] body = exchange.getRequestBody().readNBytes(KeyDirectory.MAX_BODY_CHARS + 1);
      KeyDirectory.Reply reply = live.handle(exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath(), new String(body, StandardCharsets.UTF_8));
      byte[] out = reply.json().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), out.length);
      exchange.getResponseBody().write(out);
      exchange.close();
    });
    server.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      KeyDirectoryClient client = KeyDirectoryClient.forServer(base);

      KeyDirectory.Registration registered = client.register("alice", alice);
      assertThat(registered.fingerprint()).isEqualTo(alice.fingerprint());
      assertThat(client.lookup("alice")).hasValueSatisfying(
          key -> assertThat(PublicKeys.same(key, alice.publicKey())).isTrue());
      assertThat(client.lookup("nobody")).isEmpty();
      assertThatThrownBy(() -> client.register("alice", mallory))
          .isInstanceOf(KeyDirectoryException.Forbidden.class).hasMessageContaining("previousSignature");

      KnownPeers strict = KnownPeers.builder().policy(TrustPolicy.STRICT).source(client).build();
      assertThat(strict.check("alice", alice.publicKey()).trusted()).isTrue();
      assertThat(strict.check("alice", mallory.publicKey()).trusted()).isFalse();
      assertThat(strict.check("nobody", mallory.publicKey()).trusted()).isFalse();
    } finally {
      server.stop(0);
    }
  }
}
