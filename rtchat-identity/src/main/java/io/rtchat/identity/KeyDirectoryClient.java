package io.rtchat.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * Talks to a {@link KeyDirectory} mounted by a server: registers this peer's key and looks up
 * others'. As a {@link KeySource} it lets {@link KnownPeers} trust names registered there ({@code
 * --known-peers https://server/api/keys}).
 */
public final class KeyDirectoryClient implements KeySource {

  /** Largest response body read. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final URI keys;
  private final HttpClient http;
  private final Duration timeout;

  /** A client for the directory at {@code keysUri}, e.g. {@code https://host/api/keys}. */
  public KeyDirectoryClient(URI keysUri) {
    this(keysUri, Duration.ofSeconds(10));
  }

  public KeyDirectoryClient(URI keysUri, Duration timeout) {
    String text = Objects.requireNonNull(keysUri, "keysUri").toString();
    String scheme = keysUri.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException("key directory must be an http(s) URL, not " + keysUri);
    }
    this.keys = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** A client for the directory of the server at {@code server} ({@code /api/keys} there). */
  public static KeyDirectoryClient forServer(URI server) {
    String text = server.toString();
    return new KeyDirectoryClient(URI.create(
        (text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/api/keys"));
  }

  @Override
  public String describe() {
    return keys.toString();
  }

  @Override
  public Optional<PublicKey> lookup(String name) throws IOException {
    return registration(name).map(KeyDirectory.Registration::publicKey);
  }

  /** The registration of {@code name}, or empty when the directory has none. */
  public Optional<KeyDirectory.Registration> registration(String name) throws IOException {
    PeerNames.check(name);
    Response response = send(HttpRequest.newBuilder(
        URI.create(keys + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")))
        .GET());
    if (response.status == 404) {
      return Optional.empty();
    }
    KeyDirectory.Registration registration = parseRegistration(response);
    if (!registration.name().equals(name)) {
      throw new IOException(keys + " answered for '" + registration.name() + "' when asked for '"
          + name + "'");
    }
    return Optional.of(registration);
  }

  /** Registers {@code identity}'s key under {@code name}. */
  public KeyDirectory.Registration register(String name, Identity identity) throws IOException {
    return register(name, identity, null);
  }

  /**
   * Registers {@code identity}'s key under {@code name}; {@code previous} (the key registered so far)
   * consents to a key change, or is {@code null}.
   *
   * @throws KeyDirectoryException when the directory refuses, with its status and message
   */
  public KeyDirectory.Registration register(String name, Identity identity, Identity previous)
      throws IOException {
    PeerNames.check(name);
    Response challengeResponse = send(HttpRequest.newBuilder(URI.create(keys + "/challenge")).GET());
    String challenge = text(challengeResponse, "challenge");
    byte[] signed = KeyDirectory.signedBytes(challenge, name, identity.type(),
        PublicKeys.spki(identity.publicKey()));
    var body = WireJson.object()
        .put("name", name)
        .put("keyType", identity.type().id())
        .put("publicKey", PublicKeys.toBase64(identity.publicKey()))
        .put("challenge", challenge)
        .put("signature", WireJson.base64(identity.sign(signed)));
    if (previous != null) {
      body.put("previousSignature", WireJson.base64(previous.sign(signed)));
    }
    Response response = send(HttpRequest.newBuilder(keys)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(WireJson.write(body))));
    return parseRegistration(response);
  }

  private record Response(int status, JsonNode json) {}

  private Response send(HttpRequest.Builder request) throws IOException {
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.timeout(timeout).header("Accept", "application/json").build(),
          HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while talking to " + keys, e);
    }
    String text;
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
      if (bytes.length > MAX_RESPONSE_BYTES) {
        throw new IOException(keys + " sent a response larger than " + MAX_RESPONSE_BYTES + " bytes");
      }
      text = new String(bytes, StandardCharsets.UTF_8);
    }
    JsonNode json;
    try {
      json = WireJson.parseObject(text, MAX_RESPONSE_BYTES);
    } catch (IllegalArgumentException e) {
      throw new IOException(keys + " answered " + response.statusCode() + " without a JSON object");
    }
    int status = response.statusCode();
    if (status == 404) {
      return new Response(status, json);
    }
    if (status >= 400) {
      String message = json.path("error").asText("status " + status);
      switch (status) {
        case 400 -> throw new KeyDirectoryException.BadRequest(message);
        case 403 -> throw new KeyDirectoryException.Forbidden(message);
        case 429 -> throw new KeyDirectoryException.Unavailable(message);
        default -> throw new IOException(keys + " answered " + status + ": " + message);
      }
    }
    return new Response(status, json);
  }

  private String text(Response response, String field) throws IOException {
    try {
      return WireJson.text(response.json, field);
    } catch (IllegalArgumentException e) {
      throw new IOException(keys + " sent an invalid response: " + e.getMessage());
    }
  }

  private KeyDirectory.Registration parseRegistration(Response response) throws IOException {
    if (response.status == 404) {
      throw new IOException(keys + " answered 404: " + response.json.path("error").asText());
    }
    try {
      KeyType type = KeyType.fromId(WireJson.text(response.json, "keyType"));
      return new KeyDirectory.Registration(WireJson.text(response.json, "name"), type,
          PublicKeys.fromBase64(type, WireJson.text(response.json, "publicKey")),
          Instant.parse(WireJson.text(response.json, "registeredAt")));
    } catch (IllegalArgumentException | KeyFormatException | DateTimeParseException e) {
      throw new IOException(keys + " sent an invalid registration: " + e.getMessage());
    }
  }
}
