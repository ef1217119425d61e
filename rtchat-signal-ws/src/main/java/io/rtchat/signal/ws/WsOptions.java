package io.rtchat.signal.ws;

import io.rtchat.core.signal.UriQuery;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of one WebSocket transport, read from its URI. Unknown query parameters are errors, so a
 * misspelled option never silently falls back to a default.
 *
 * @param endpoint the relay's WebSocket URI without room and query
 * @param token sent in the join frame and as {@code Authorization: Bearer}, or {@code null}
 * @param connectTimeout bound on the first connect, handshake and join together
 * @param keepAliveSeconds ping interval; a connection without pong for 1.5 times that is lost
 * @param initialBackoff first delay before reconnecting
 * @param maxBackoff longest delay between reconnect attempts
 * @param giveUpAfter time to stay {@code SUSPENDED} before going {@code LOST}, or zero for never
 */
record WsOptions(
    URI endpoint,
    String token,
    Duration connectTimeout,
    int keepAliveSeconds,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration giveUpAfter) {

  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final int DEFAULT_KEEP_ALIVE_SECONDS = 20;
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(250);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

  private static final List<String> KNOWN = List.of(
      "room", "token", "connectTimeoutMs", "keepAliveSec", "maxBackoffMs", "giveUpAfterSec");

  static WsOptions parse(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("not a ws:// or wss:// URI: " + uri);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("signaling URI " + uri + " names no host; expected e.g. "
          + "ws://127.0.0.1:8080/signal?room=demo");
    }
    Map<String, String> query = UriQuery.parse(uri);
    for (String key : query.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException("unknown option '" + key + "' in " + uri
            + "; known options: " + String.join(", ", KNOWN));
      }
    }
    Duration connectTimeout = Duration.ofMillis(
        number(query, "connectTimeoutMs", DEFAULT_CONNECT_TIMEOUT.toMillis(), uri));
    int keepAlive = (int) number(query, "keepAliveSec", DEFAULT_KEEP_ALIVE_SECONDS, uri);
    Duration maxBackoff = Duration.ofMillis(
        number(query, "maxBackoffMs", DEFAULT_MAX_BACKOFF.toMillis(), uri));
    Duration giveUp = Duration.ofSeconds(number(query, "giveUpAfterSec", 0, uri));
    if (connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeoutMs must be positive in " + uri);
    }
    Duration initial = DEFAULT_INITIAL_BACKOFF.compareTo(maxBackoff) < 0
        ? DEFAULT_INITIAL_BACKOFF : maxBackoff;
    try {
      URI endpoint = new URI(scheme, null, uri.getHost(), uri.getPort(), endpointPath(uri), null,
          null);
      return new WsOptions(endpoint, query.get("token"), connectTimeout, keepAlive, initial,
          maxBackoff, giveUp);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot form the relay endpoint from " + uri, e);
    }
  }

  static String roomOf(URI uri) {
    String room = UriQuery.parse(uri).get("room");
    if (room != null && !room.isEmpty()) {
      return room;
    }
    List<String> segments = segments(uri);
    return segments.size() >= 2 ? segments.get(segments.size() - 1) : null;
  }

  /** The path without the room segment; {@code /} when there is no path. */
  private static String endpointPath(URI uri) {
    List<String> segments = segments(uri);
    boolean roomInPath = !UriQuery.parse(uri).containsKey("room") && segments.size() >= 2;
    int keep = roomInPath ? segments.size() - 1 : segments.size();
    if (keep == 0) {
      return "/";
    }
    return "/" + String.join("/", segments.subList(0, keep));
  }

  private static List<String> segments(URI uri) {
    List<String> segments = new ArrayList<>();
    String path = uri.getPath();
    if (path != null) {
      for (String segment : path.split("/")) {
        if (!segment.isEmpty()) {
          segments.add(segment);
        }
      }
    }
    return segments;
  }

  private static long number(Map<String, String> query, String key, long fallback, URI uri) {
    String value = query.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option " + key + " must be a non-negative integer, got '" + value + "' in " + uri);
    }
  }
}
