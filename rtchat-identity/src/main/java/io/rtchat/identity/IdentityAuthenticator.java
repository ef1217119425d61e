package io.rtchat.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtchat.core.auth.AuthExchange;
import io.rtchat.core.auth.AuthResult;
import io.rtchat.core.auth.PeerAuthenticator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves to each other that both peers hold their keys and that the keys belong to <em>this</em>
 * connection. Three rounds on the session's data channel, before any application traffic:
 *
 * <ol>
 *   <li>{@code hello}: name, key type, public key (SPKI), a fresh 32-byte nonce;
 *   <li>{@code proof}: a signature over the {@linkplain #signedBytes transcript} of this
 *       connection as the signer sees it — both nonces, both DTLS fingerprints from the SDPs the
 *       signer applied, both names, both keys, the room;
 *   <li>{@code verdict}: {@code ok}, or {@code reject} with a reason.
 * </ol>
 *
 * <p>Each side verifies the other's signature against its <em>own</em> view of the fingerprints. A
 * man in the middle who swapped the SDP fingerprints on the broker terminates DTLS with different
 * certificates on each side, so the two views differ and no relayed signature verifies. Then the
 * key is checked against {@link KnownPeers}. Any failure — bad message, wrong signature, untrusted
 * or changed key, timeout, the peer's rejection — rejects the session with a reason; there is no
 * "verified anyway". A session is accepted only when both sides said {@code ok}.
 */
public final class IdentityAuthenticator implements PeerAuthenticator {

  /** Domain label of the signed transcript; a new version changes it. */
  public static final String LABEL = "rtchat-identity-auth-v1";

  /** Largest message accepted from the other side. */
  static final int MAX_MESSAGE_CHARS = 8 * 1024;

  static final int NONCE_BYTES = 32;

  private static final Logger log = LoggerFactory.getLogger(IdentityAuthenticator.class);

  /**
   * What one authentication ended with, for logs, UIs and tests.
   *
   * @param localName this peer's name
   * @param remoteName the other peer's signaled name
   * @param room the room
   * @param result verified with the remote key's fingerprint, or rejected with the reason
   */
  public record Outcome(String localName, String remoteName, String room, AuthResult result) {}

  private final Identity identity;
  private final KnownPeers knownPeers;
  private final Duration timeout;
  private final Consumer<Outcome> observer;
  private final SecureRandom random = new SecureRandom();

  private IdentityAuthenticator(Builder builder) {
    this.identity = Objects.requireNonNull(builder.identity, "identity");
    this.knownPeers = Objects.requireNonNull(builder.knownPeers, "knownPeers");
    this.timeout = builder.timeout;
    this.observer = builder.observer;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Identity identity() {
    return identity;
  }

  public KnownPeers knownPeers() {
    return knownPeers;
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthExchange exchange) {
    Run run = new Run(exchange);
    CompletableFuture<AuthResult> result;
    try {
      result = run.start();
    } catch (RuntimeException e) {
      result = CompletableFuture.completedFuture(run.fail(e.getMessage()));
    }
    return result.exceptionally(e -> run.fail(describe(e))).thenApply(outcome -> {
      try {
        observer.accept(new Outcome(exchange.localName(), exchange.remoteName(), exchange.room(),
            outcome));
      } catch (RuntimeException e) {
        log.warn("authentication observer failed", e);
      }
      return outcome;
    });
  }

  /**
   * The bytes a signer signs: {@link #LABEL}, then length-prefixed: signer's nonce, other nonce,
   * signer's local DTLS fingerprint, signer's remote DTLS fingerprint, signer's name, other name,
   * signer's key (SPKI), other key (SPKI), room. Fingerprints are normalised ({@code sha-256
   * AB:CD:..}).
   */
  static byte[] signedBytes(byte[] signerNonce, byte[] otherNonce, String signerLocalDtls,
      String signerRemoteDtls, String signerName, String otherName, PublicKey signerKey,
      PublicKey otherKey, String room) {
    return new Transcript(LABEL)
        .add(signerNonce).add(otherNonce)
        .add(signerLocalDtls).add(signerRemoteDtls)
        .add(signerName).add(otherName)
        .add(PublicKeys.spki(signerKey)).add(PublicKeys.spki(otherKey))
        .add(room)
        .bytes();
  }

  private static String describe(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof TimeoutException) {
      return "authentication timed out";
    }
    if (cause instanceof RejectedException rejected) {
      return rejected.getMessage();
    }
    return "authentication failed: " + cause.getMessage();
  }

  /** Reasons coming from the other side: bounded, printable. */
  private static String sanitize(String reason) {
    String clean = reason.replaceAll("\\p{Cntrl}", " ");
    return clean.length() > 300 ? clean.substring(0, 300) + "…" : clean;
  }

  /** Ends a run early with a reason (already sent to the other side when it should know). */
  private static final class RejectedException extends RuntimeException {
    RejectedException(String reason) {
      super(reason, null, false, false);
    }
  }

  /** One authentication of one session. */
  private final class Run {
    private final AuthExchange exchange;
    private final byte[] nonce = new byte[NONCE_BYTES];
    private volatile boolean rejectSent;

    Run(AuthExchange exchange) {
      this.exchange = exchange;
      random.nextBytes(nonce);
    }

    CompletableFuture<AuthResult> start() {
      String localDtls = Transcript.normalizeDtlsFingerprint(exchange.localDtlsFingerprint());
      String remoteDtls = Transcript.normalizeDtlsFingerprint(exchange.remoteDtlsFingerprint());
      if (localDtls == null || remoteDtls == null) {
        throw reject("no usable DTLS fingerprint in the applied SDPs (local "
            + exchange.localDtlsFingerprint() + ", remote " + exchange.remoteDtlsFingerprint()
            + "); cannot bind identities to this connection");
      }
      ObjectNode hello = WireJson.object()
          .put("t", "hello")
          .put("v", 1)
          .put("n", exchange.localName())
          .put("kt", identity.type().id())
          .put("k", WireJson.base64(PublicKeys.spki(identity.publicKey())))
          .put("c", WireJson.base64(nonce));
      exchange.send(WireJson.write(hello));
      return receive("hello").thenCompose(message -> {
        Hello peer = parseHello(message);
        byte[] mine = signedBytes(nonce, peer.nonce, localDtls, remoteDtls, exchange.localName(),
            exchange.remoteName(), identity.publicKey(), peer.key, exchange.room());
        exchange.send(WireJson.write(WireJson.object()
            .put("t", "proof").put("s", WireJson.base64(identity.sign(mine)))));
        return receive("proof").thenApply(proof -> checkProof(proof, peer, localDtls, remoteDtls));
      }).thenCompose(peer -> {
        exchange.send(WireJson.write(WireJson.object().put("t", "ok")));
        return receive("verdict").thenApply(verdict -> {
          if (!"ok".equals(verdict.get("t").asText())) {
            throw new IllegalArgumentException("expected the verdict, got '" + verdict.get("t").asText() + "'");
          }
          String fingerprint = PublicKeys.fingerprint(peer.key);
          log.info("{} verified {} ({}) in room {}", exchange.localName(), exchange.remoteName(),
              fingerprint, exchange.room());
          return AuthResult.verified(fingerprint);
        });
      });
    }

    private record Hello(PublicKey key, byte[] nonce) {}

    private Hello parseHello(JsonNode hello) {
      try {
        if (!"hello".equals(hello.get("t").asText())) {
          throw new IllegalArgumentException("expected hello, got '" + hello.get("t").asText() + "'");
        }
        JsonNode version = hello.get("v");
        if (version == null || !version.isInt() || version.asInt() != 1) {
          throw new IllegalArgumentException("unsupported protocol version " + version);
        }
        String name = WireJson.text(hello, "n");
        if (!name.equals(exchange.remoteName())) {
          throw new IllegalArgumentException("hello claims the name '" + sanitize(name)
              + "' but the peer signaled as '" + exchange.remoteName() + "'");
        }
        KeyType type = KeyType.fromId(WireJson.text(hello, "kt"));
        PublicKey key = PublicKeys.fromSpki(type,
            WireJson.bytes(hello, "k", PublicKeys.MAX_SPKI_BYTES));
        byte[] peerNonce = WireJson.bytes(hello, "c", NONCE_BYTES);
        if (peerNonce.length != NONCE_BYTES) {
          throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
        }
        return new Hello(key, peerNonce);
      } catch (IllegalArgumentException | KeyFormatException e) {
        throw reject("bad hello from " + exchange.remoteName() + ": " + e.getMessage());
      }
    }

    private Hello checkProof(JsonNode proof, Hello peer, String localDtls, String remoteDtls) {
      byte[] signature;
      try {
        if (!"proof".equals(proof.get("t").asText())) {
          throw new IllegalArgumentException("expected proof, got '" + proof.get("t").asText() + "'");
        }
        signature = WireJson.bytes(proof, "s", 1024);
      } catch (IllegalArgumentException e) {
        throw reject("bad proof from " + exchange.remoteName() + ": " + e.getMessage());
      }
      // The signer's view, as it must be if nobody tampered: its local is our remote and back.
      byte[] expected = signedBytes(peer.nonce, nonce, remoteDtls, localDtls, exchange.remoteName(),
          exchange.localName(), peer.key, identity.publicKey(), exchange.room());
      if (!PublicKeys.verify(peer.key, expected, signature)) {
        throw reject("signature of " + exchange.remoteName() + " (" + PublicKeys.fingerprint(peer.key)
            + ") does not match this connection: the DTLS fingerprints differ between the two"
            + " sides (a man in the middle rewrote the signaling) or the key is not held");
      }
      KnownPeers.Decision decision = knownPeers.check(exchange.remoteName(), peer.key);
      if (!decision.trusted()) {
        throw reject(decision.reason());
      }
      return peer;
    }

    /** The next message, parsed; a {@code reject} from the other side ends the run. */
    private CompletableFuture<JsonNode> receive(String what) {
      return exchange.receive().toCompletableFuture()
          .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .thenApply(text -> {
            JsonNode message;
            try {
              message = WireJson.parseObject(text, MAX_MESSAGE_CHARS);
              WireJson.text(message, "t");
            } catch (IllegalArgumentException e) {
              throw reject("bad " + what + " message from " + exchange.remoteName() + ": "
                  + e.getMessage());
            }
            if ("reject".equals(message.get("t").asText())) {
              rejectSent = true; // no need to answer a rejection
              JsonNode reason = message.get("r");
              throw new RejectedException(exchange.remoteName() + " rejected this connection: "
                  + sanitize(reason == null ? "no reason given" : reason.asText()));
            }
            return message;
          });
    }

    /** Tells the other side why, once, and returns the exception that ends the run. */
    private RejectedException reject(String reason) {
      sendReject(reason);
      return new RejectedException(reason);
    }

    private void sendReject(String reason) {
      if (rejectSent) {
        return;
      }
      rejectSent = true;
      try {
        exchange.send(WireJson.write(WireJson.object().put("t", "reject").put("r", reason)));
      } catch (RuntimeException e) {
        log.debug("could not tell {} about the rejection: {}", exchange.remoteName(), e.toString());
      }
    }

    AuthResult fail(String reason) {
      sendReject(reason);
      log.warn("{} rejected {} in room {}: {}", exchange.localName(), exchange.remoteName(),
          exchange.room(), reason);
      return AuthResult.rejected(reason);
    }
  }

  /** Builds an {@link IdentityAuthenticator}. */
  public static final class Builder {
    private Identity identity;
    private KnownPeers knownPeers;
    private Duration timeout = Duration.ofSeconds(10);
    private Consumer<Outcome> observer = outcome -> { };

    private Builder() {}

    /** Told of every finished authentication, verified or rejected; must not block. */
    public Builder observer(Consumer<Outcome> observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** This peer's key pair. */
    public Builder identity(Identity identity) {
      this.identity = identity;
      return this;
    }

    /** Decides which keys are trusted for which names. */
    public Builder knownPeers(KnownPeers knownPeers) {
      this.knownPeers = knownPeers;
      return this;
    }

    /** How long to wait for each message of the other side; 10 s by default. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    public IdentityAuthenticator build() {
      return new IdentityAuthenticator(this);
    }
  }
}
