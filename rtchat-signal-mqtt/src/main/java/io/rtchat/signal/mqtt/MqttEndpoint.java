package io.rtchat.signal.mqtt;

import io.rtchat.core.signal.UriQuery;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where and how to reach a broker, parsed from a signaling URI such as
 * {@code mqtt://user@host:1883/lobby?version=3} or {@code mqtt+wss://host/mqtt?room=lobby}.
 *
 * @param version 3 (MQTT 3.1.1), 5, or 0 for "MQTT 5, falling back to 3.1.1 when refused"
 * @param clientId the MQTT client identifier, or {@code null} for a random one per transport
 * @param room the room named by the URI, or {@code null}
 */
record MqttEndpoint(
    String host,
    int port,
    boolean tls,
    boolean webSocket,
    String webSocketPath,
    String username,
    String password,
    String clientId,
    int version,
    String room) {

  static final Set<String> SCHEMES = Set.of("mqtt", "mqtts", "mqtt+ws", "mqtt+wss");
  static final String DEFAULT_WS_PATH = "/mqtt";
  private static final Set<String> OPTIONS =
      Set.of("username", "password", "clientId", "version", "room");

  /** {@code host:port}, for messages. */
  String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    // Never the password.
    return (webSocket ? (tls ? "mqtt+wss://" : "mqtt+ws://") : (tls ? "mqtts://" : "mqtt://"))
        + address() + (webSocket ? webSocketPath : "");
  }

  /**
   * Parses a signaling URI.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static MqttEndpoint parse(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      throw new IllegalArgumentException("not an MQTT URI: " + uri.getScheme()
          + "; use one of mqtt://, mqtts://, mqtt+ws://, mqtt+wss://");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(
          "MQTT URI without a host: " + redact(uri) + "; expected e.g. mqtt://127.0.0.1:1883/lobby");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    boolean tls = scheme.equals("mqtts") || scheme.equals("mqtt+wss");
    boolean webSocket = scheme.startsWith("mqtt+ws");
    int port = uri.getPort();
    if (port < 0) {
      port = webSocket ? (tls ? 443 : 80) : (tls ? 8883 : 1883);
    }

    Map<String, String> options = UriQuery.parse(uri);
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("unknown MQTT URI option '" + key + "' in " + redact(uri)
            + "; known options: username, password, clientId, version, room");
      }
    }
    String username = options.get("username");
    String password = options.get("password");
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && username == null) {
      int colon = userInfo.indexOf(':');
      username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (colon >= 0 && password == null) {
        password = decode(userInfo.substring(colon + 1));
      }
    }
    if (password != null && username == null) {
      throw new IllegalArgumentException("MQTT URI option 'password' needs a 'username' too");
    }
    String clientId = options.get("clientId");
    if (clientId != null && (clientId.isEmpty() || clientId.length() > 64)) {
      throw new IllegalArgumentException("MQTT clientId must have 1 to 64 characters");
    }
    int version = switch (options.getOrDefault("version", "")) {
      case "" -> 0;
      case "3", "3.1.1", "4" -> 3;
      case "5" -> 5;
      default -> throw new IllegalArgumentException(
          "MQTT URI option version=" + options.get("version") + " is not supported; use 3 or 5");
    };

    String path = uri.getPath() == null ? "" : uri.getPath();
    String room = options.get("room");
    String webSocketPath = DEFAULT_WS_PATH;
    if (webSocket) {
      if (!path.isEmpty() && !path.equals("/")) {
        webSocketPath = path;
      }
    } else if (room == null && !path.isEmpty() && !path.equals("/")) {
      room = path.substring(1);
    }
    if (room != null) {
      Topics.escape("room", room); // fail early on an unusable room
    }
    return new MqttEndpoint(host, port, tls, webSocket, webSocketPath, username, password,
        clientId, version, room);
  }

  private static String decode(String raw) {
    return URLDecoder.decode(raw, StandardCharsets.UTF_8);
  }

  /** The URI without user info and query, for messages that may end up in logs. */
  static String redact(URI uri) {
    return uri.getScheme() + "://" + (uri.getHost() == null ? "" : uri.getHost())
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getPath() == null ? "" : uri.getPath());
  }
}
