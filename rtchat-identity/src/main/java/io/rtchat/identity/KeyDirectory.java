package io.rtchat.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server-side directory binding peer names to public keys on proof of possession; IO-free, in
 * memory, thread-safe. rtchat-server mounts {@link #handle} at {@code /api/keys}:
 *
 * <ul>
 *   <li>{@code GET /api/keys/challenge} → {@code {"challenge":"<base64url>","expiresAt":"<ISO-8601>"}}:
 *       a single-use nonce, valid for two minutes by default;
 *   <li>{@code POST /api/keys} with {@code {"name","keyType","publicKey":"<base64 SPKI>","challenge",
 *       "signature":"<base64>"[,"previousSignature":"<base64>"]}} → 201 (new) or 200 (same key
 *       again, or a key change signed by the old key) with the registration;
 *   <li>{@code GET /api/keys/{name}} → the registration, or 404.
 * </ul>
 *
 * <p>The signature (and the previous key's signature for a key change) covers {@link
 * #signedBytes}: {@code "rtchat-keydir-v1"}, then length-prefixed the challenge text, the name, the
 * key type, the SPKI. First come, first served: a registered name moves to another key only with a
 * signature by the key it has. Errors are JSON {@code {"error":"..."}} with 400 (malformed), 403
 * (proof fails, name taken), 404, 405 or 429 (limits) — never an exception to the caller.
 */
public final class KeyDirectory {

  /** Domain label of the signed registration bytes. */
  public static final String LABEL = "rtchat-keydir-v1";

  /** Largest request body accepted by {@link #handle}. */
  public static final int MAX_BODY_CHARS = 16 * 1024;

  private static final Logger log = LoggerFactory.getLogger(KeyDirectory.class);
  private static final String PREFIX = "/api/keys";

  /** A challenge to sign. */
  public record Challenge(String challenge, Instant expiresAt) {}

  /** A request to bind {@code name} to {@code publicKey} (base64 SPKI). */
  public record RegisterRequest(String name, String keyType, String publicKey, String challenge,
      String signature, String previousSignature) {}

  /** A name's key. */
  public record Registration(String name, KeyType keyType, PublicKey publicKey, Instant registeredAt) {
    public String fingerprint() {
      return PublicKeys.fingerprint(publicKey);
    }
  }

  /** Result of {@link #register}: the registration and whether the name was new. */
  public record Registered(Registration registration, boolean created) {}

  /** An HTTP-ish reply: status and a JSON body. */
  public record Reply(int status, String json) {}

  private final Clock clock;
  private final Duration challengeLifetime;
  private final int maxChallenges;
  private final int maxNames;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> challenges = new LinkedHashMap<>();
  private final Map<String, Registration> names = new HashMap<>();

  private KeyDirectory(Builder builder) {
    this.clock = builder.clock;
    this.challengeLifetime = builder.challengeLifetime;
    this.maxChallenges = builder.maxChallenges;
    this.maxNames = builder.maxNames;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bytes a registration signs. */
  public static byte[] signedBytes(String challenge, String name, KeyType type, byte[] spki) {
    return new Transcript(LABEL).add(challenge).add(name).add(type.id()).add(spki).bytes();
  }

  /**
   * Issues a single-use challenge.
   *
   * @throws KeyDirectoryException.Unavailable when too many challenges are outstanding
   */
  public synchronized Challenge challenge() {
    Instant now = clock.instant();
    if (challenges.size() >= maxChallenges) {
      for (Iterator<Instant> expiries = challenges.values().iterator(); expiries.hasNext(); ) {
        if (!expiries.next().isAfter(now)) {
          expiries.remove();
        }
      }
      if (challenges.size() >= maxChallenges) {
        throw new KeyDirectoryException.Unavailable(
            "too many outstanding challenges; try again in " + challengeLifetime.toSeconds() + " s");
      }
    }
    byte[] nonce = new byte[32];
    random.nextBytes(nonce);
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    Instant expiresAt = now.plus(challengeLifetime);
    challenges.put(challenge, expiresAt);
    return new Challenge(challenge, expiresAt);
  }

  /**
   * Registers a key for a name, or changes it with the old key's consent.
   *
   * @throws KeyDirectoryException.BadRequest for malformed fields
   * @throws KeyDirectoryException.Forbidden when a proof fails or the name belongs to another key
   */
  public synchronized Registered register(RegisterRequest request) {
    if (request == null) {
      throw new KeyDirectoryException.BadRequest("missing registration request");
    }
    String nameProblem = PeerNames.problem(request.name());
    if (nameProblem != null) {
      throw new KeyDirectoryException.BadRequest("invalid name: " + nameProblem);
    }
    KeyType type;
    PublicKey key;
    try {
      type = KeyType.fromId(required(request.keyType(), "keyType"));
      key = PublicKeys.fromBase64(type, required(request.publicKey(), "publicKey"));
    } catch (KeyFormatException e) {
      throw new KeyDirectoryException.BadRequest("invalid key: " + e.getMessage());
    }
    String challenge = required(request.challenge(), "challenge");
    byte[] signature = base64(required(request.signature(), "signature"), "signature");
    byte[] previousSignature = request.previousSignature() == null
        ? null : base64(request.previousSignature(), "previousSignature");

    Instant now = clock.instant();
    Instant expiresAt = challenges.remove(challenge); // single use, even when the proof fails
    if (expiresAt == null || !expiresAt.isAfter(now)) {
      throw new KeyDirectoryException.Forbidden(
          "unknown, used or expired challenge; get a fresh one from GET /api/keys/challenge");
    }
    byte[] signed = signedBytes(challenge, request.name(), type, PublicKeys.spki(key));
    if (!PublicKeys.verify(key, signed, signature)) {
      throw new KeyDirectoryException.Forbidden(
          "signature does not verify with the presented key; sign the challenge with it");
    }
    Registration existing = names.get(request.name());
    if (existing != null && !PublicKeys.same(existing.publicKey(), key)) {
      if (previousSignature == null
          || !PublicKeys.verify(existing.publicKey(), signed, previousSignature)) {
        log.warn("refused to move '{}' from {} to {}: no valid signature by the registered key",
            request.name(), existing.fingerprint(), PublicKeys.fingerprint(key));
        throw new KeyDirectoryException.Forbidden("'" + request.name() + "' is registered to "
            + existing.fingerprint() + "; a new key needs previousSignature made with that key");
      }
    }
    if (existing == null && names.size() >= maxNames) {
      throw new KeyDirectoryException.Unavailable("key directory is full");
    }
    Registration registration = new Registration(request.name(), type, key, now);
    names.put(request.name(), registration);
    log.info("registered '{}' with {}", request.name(), registration.fingerprint());
    return new Registered(registration, existing == null);
  }

  /** The registration of {@code name}. */
  public synchronized Optional<Registration> lookup(String name) {
    return Optional.ofNullable(names.get(name));
  }

  /**
   * Serves one HTTP request for the paths above. Never throws: every failure is a JSON error reply.
   *
   * @param method HTTP method
   * @param path request path, starting with {@code /api/keys} (a query string is ignored)
   * @param body request body, or {@code null}
   */
  public Reply handle(String method, String path, String body) {
    try {
      return route(method, path, body);
    } catch (KeyDirectoryException e) {
      return error(e.status(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("key directory failed on {} {}", method, path, e);
      return error(500, "internal error");
    }
  }

  private Reply route(String method, String path, String body) {
    if (method == null || path == null) {
      throw new KeyDirectoryException.BadRequest("missing method or path");
    }
    int query = path.indexOf('?');
    String clean = query >= 0 ? path.substring(0, query) : path;
    if (clean.length() > 1 && clean.endsWith("/")) {
      clean = clean.substring(0, clean.length() - 1);
    }
    if (clean.equals(PREFIX)) {
      if (!method.equals("POST")) {
        return error(405, "use POST " + PREFIX + " to register a key");
      }
      Registered registered = register(parseRequest(body));
      return new Reply(registered.created() ? 201 : 200, registrationJson(registered.registration()));
    }
    if (!clean.startsWith(PREFIX + "/")) {
      throw new KeyDirectoryException.NotFound("no such resource: " + clean);
    }
    String rest = clean.substring(PREFIX.length() + 1);
    if (!method.equals("GET")) {
      return error(405, "use GET " + clean);
    }
    if (rest.equals("challenge")) {
      Challenge challenge = challenge();
      return new Reply(200, WireJson.write(WireJson.object()
          .put("challenge", challenge.challenge())
          .put("expiresAt", challenge.expiresAt().toString())));
    }
    String name;
    try {
      name = URLDecoder.decode(rest, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new KeyDirectoryException.BadRequest("bad percent-encoding in the name");
    }
    String problem = PeerNames.problem(name);
    if (problem != null) {
      throw new KeyDirectoryException.BadRequest("invalid name: " + problem);
    }
    return lookup(name)
        .map(registration -> new Reply(200, registrationJson(registration)))
        .orElseThrow(() -> new KeyDirectoryException.NotFound("no key registered for '" + name + "'"));
  }

  private static RegisterRequest parseRequest(String body) {
    JsonNode json;
    try {
      json = WireJson.parseObject(body, MAX_BODY_CHARS);
    } catch (IllegalArgumentException e) {
      throw new KeyDirectoryException.BadRequest("request body: " + e.getMessage());
    }
    return new RegisterRequest(field(json, "name", true), field(json, "keyType", true),
        field(json, "publicKey", true), field(json, "challenge", true),
        field(json, "signature", true), field(json, "previousSignature", false));
  }

  private static String field(JsonNode json, String name, boolean required) {
    JsonNode value = json.get(name);
    if (value == null || value.isNull()) {
      if (required) {
        throw new KeyDirectoryException.BadRequest("missing field '" + name + "'");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw new KeyDirectoryException.BadRequest("field '" + name + "' must be a string");
    }
    return value.asText();
  }

  static String registrationJson(Registration registration) {
    ObjectNode json = WireJson.object()
        .put("name", registration.name())
        .put("keyType", registration.keyType().id())
        .put("publicKey", PublicKeys.toBase64(registration.publicKey()))
        .put("fingerprint", registration.fingerprint())
        .put("registeredAt", registration.registeredAt().toString());
    return WireJson.write(json);
  }

  private static Reply error(int status, String message) {
    return new Reply(status, WireJson.write(WireJson.object().put("error", message)));
  }

  private static String required(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new KeyDirectoryException.BadRequest("missing field '" + field + "'");
    }
    return value;
  }

  private static byte[] base64(String value, String field) {
    if (value.length() > 2048) {
      throw new KeyDirectoryException.BadRequest("field '" + field + "' is too long");
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new KeyDirectoryException.BadRequest("field '" + field + "' is not valid base64");
    }
  }

  /** Builds a {@link KeyDirectory}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration challengeLifetime = Duration.ofMinutes(2);
    private int maxChallenges = 10_000;
    private int maxNames = 100_000;

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a challenge stays valid; two minutes by default. */
    public Builder challengeLifetime(Duration lifetime) {
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("challenge lifetime must be positive");
      }
      this.challengeLifetime = lifetime;
      return this;
    }

    /** Most challenges outstanding at once (429 beyond); 10 000 by default. */
    public Builder maxChallenges(int max) {
      this.maxChallenges = max;
      return this;
    }

    /** Most names registered (429 beyond); 100 000 by default. */
    public Builder maxNames(int max) {
      this.maxNames = max;
      return this;
    }

    public KeyDirectory build() {
      return new KeyDirectory(this);
    }
  }
}
