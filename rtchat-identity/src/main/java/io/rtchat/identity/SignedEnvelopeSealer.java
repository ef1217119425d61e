package io.rtchat.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.rtchat.core.signal.Envelope;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.EnvelopeSealer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Signs every outgoing signaling envelope with the peer's identity and drops incoming envelopes
 * that fail: a broker user cannot forge offers, answers or goodbyes in someone else's name, nor
 * replay old ones.
 *
 * <p>Sealed form (compact JSON): {@code {"e":"<envelope JSON text>","ts":<ms since epoch>,
 * "kt":"ed25519","k":"<base64 SPKI>","s":"<base64 signature>"}}. The signature covers {@code
 * "rtchat-envelope-v1"}, then length-prefixed: the envelope bytes, the timestamp (8 bytes
 * big-endian), the key type, the SPKI. The key travels along so first contact works under
 * trust-on-first-use; whether it may speak for the envelope's sender ({@code f}) is decided by
 * {@link KnownPeers}.
 *
 * <p>A received envelope is dropped when it is not in this form, its signature fails, its timestamp
 * is more than the window (±60 s by default) away from this clock, the same signed envelope was
 * seen within the window (bounded replay cache; when full, new envelopes are dropped rather than
 * old entries forgotten), or the key is not trusted for the sender's name.
 */
public final class SignedEnvelopeSealer implements EnvelopeSealer {

  /** Domain label of the signed bytes. */
  public static final String LABEL = "rtchat-envelope-v1";

  /** Largest sealed payload accepted: an envelope plus signature, key and framing. */
  static final int MAX_SEALED_BYTES = EnvelopeCodec.MAX_BYTES + 4096;

  private final Identity identity;
  private final KnownPeers knownPeers;
  private final Clock clock;
  private final long windowMillis;
  private final int replayCacheSize;
  /** Replay id (hex) → millis after which the entry's timestamp is outside the window anyway. */
  private final Map<String, Long> seen = new LinkedHashMap<>();
  private final String keyType;
  private final String keyBase64;

  private SignedEnvelopeSealer(Builder builder) {
    this.identity = Objects.requireNonNull(builder.identity, "identity");
    this.knownPeers = Objects.requireNonNull(builder.knownPeers, "knownPeers");
    this.clock = builder.clock;
    this.windowMillis = builder.window.toMillis();
    this.replayCacheSize = builder.replayCacheSize;
    this.keyType = identity.type().id();
    this.keyBase64 = PublicKeys.toBase64(identity.publicKey());
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public byte[] seal(byte[] envelope) {
    long timestamp = clock.millis();
    // Sign exactly the bytes the receiver will get back out of the JSON string.
    String text = new String(envelope, StandardCharsets.UTF_8);
    byte[] signature = identity.sign(signedBytes(text.getBytes(StandardCharsets.UTF_8), timestamp,
        keyType, PublicKeys.spki(identity.publicKey())));
    return WireJson.write(WireJson.object()
        .put("e", text)
        .put("ts", timestamp)
        .put("kt", keyType)
        .put("k", keyBase64)
        .put("s", WireJson.base64(signature))).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] open(byte[] sealed) throws RejectedEnvelopeException {
    if (sealed.length > MAX_SEALED_BYTES) {
      throw new RejectedEnvelopeException("signed envelope of " + sealed.length + " bytes is too large");
    }
    byte[] envelope;
    long timestamp;
    KeyType type;
    PublicKey key;
    byte[] signature;
    try {
      JsonNode node = WireJson.parseObject(new String(sealed, StandardCharsets.UTF_8), MAX_SEALED_BYTES);
      envelope = WireJson.text(node, "e").getBytes(StandardCharsets.UTF_8);
      JsonNode ts = node.get("ts");
      if (ts == null || !ts.isIntegralNumber() || !ts.canConvertToLong()) {
        throw new IllegalArgumentException("field 'ts' must be an integer");
      }
      timestamp = ts.asLong();
      type = KeyType.fromId(WireJson.text(node, "kt"));
      key = PublicKeys.fromSpki(type, WireJson.bytes(node, "k", PublicKeys.MAX_SPKI_BYTES));
      signature = WireJson.bytes(node, "s", 1024);
    } catch (IllegalArgumentException | KeyFormatException e) {
      throw new RejectedEnvelopeException("not a signed envelope: " + e.getMessage());
    }
    if (!PublicKeys.verify(key, signedBytes(envelope, timestamp, type.id(), PublicKeys.spki(key)),
        signature)) {
      throw new RejectedEnvelopeException("envelope signature does not verify ("
          + PublicKeys.fingerprint(key) + ")");
    }
    long now = clock.millis();
    if (Math.abs(now - timestamp) > windowMillis) {
      throw new RejectedEnvelopeException("envelope timestamp is " + (now - timestamp)
          + " ms old, outside the window of ±" + windowMillis + " ms");
    }
    Envelope decoded;
    try {
      decoded = EnvelopeCodec.decode(envelope);
    } catch (EnvelopeCodec.MalformedEnvelopeException e) {
      throw new RejectedEnvelopeException("signed payload is no envelope: " + e.getMessage());
    }
    String replayId = HexFormat.of().formatHex(PublicKeys.sha256(
        new Transcript("replay").add(PublicKeys.spki(key)).add(timestamp).add(envelope).bytes()));
    synchronized (seen) {
      if (seen.containsKey(replayId)) {
        throw new RejectedEnvelopeException("replayed envelope from '" + decoded.from() + "'");
      }
    }
    KnownPeers.Decision decision = knownPeers.check(decoded.from(), key);
    if (!decision.trusted()) {
      throw new RejectedEnvelopeException("untrusted signer for '" + decoded.from() + "': "
          + decision.reason());
    }
    synchronized (seen) {
      if (seen.size() >= replayCacheSize) {
        prune(now);
      }
      if (seen.size() >= replayCacheSize) {
        throw new RejectedEnvelopeException("replay cache full (" + replayCacheSize
            + " envelopes within the window); dropping");
      }
      if (seen.putIfAbsent(replayId, timestamp + windowMillis) != null) {
        throw new RejectedEnvelopeException("replayed envelope from '" + decoded.from() + "'");
      }
    }
    return envelope;
  }

  private void prune(long now) {
    for (Iterator<Long> expiries = seen.values().iterator(); expiries.hasNext(); ) {
      if (expiries.next() < now) {
        expiries.remove();
      }
    }
  }

  static byte[] signedBytes(byte[] envelope, long timestamp, String keyType, byte[] spki) {
    return new Transcript(LABEL).add(envelope).add(timestamp).add(keyType).add(spki).bytes();
  }

  /** Builds a {@link SignedEnvelopeSealer}. */
  public static final class Builder {
    private Identity identity;
    private KnownPeers knownPeers;
    private Clock clock = Clock.systemUTC();
    private Duration window = Duration.ofSeconds(60);
    private int replayCacheSize = 8192;

    private Builder() {}

    public Builder identity(Identity identity) {
      this.identity = identity;
      return this;
    }

    /** Decides which keys may sign for which sender names. */
    public Builder knownPeers(KnownPeers knownPeers) {
      this.knownPeers = knownPeers;
      return this;
    }

    /** Accepted distance between an envelope's timestamp and this clock; ±60 s by default. */
    public Builder window(Duration window) {
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive");
      }
      this.window = window;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How many envelopes of the window are remembered; 8192 by default. */
    public Builder replayCacheSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("replay cache size must be positive");
      }
      this.replayCacheSize = size;
      return this;
    }

    public SignedEnvelopeSealer build() {
      return new SignedEnvelopeSealer(this);
    }
  }
}
