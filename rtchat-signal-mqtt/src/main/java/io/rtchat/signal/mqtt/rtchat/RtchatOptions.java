package io.rtchat.signal.mqtt.rtchat;

import io.rtchat.core.dialect.PeerConfig;
import io.rtchat.identity.Identity;
import io.rtchat.identity.KeyType;
import io.rtchat.identity.RtchatKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.rtchat.core.signal.UriQuery;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Where the RTChat room is and which keys to use, read from the signaling URI. */
record RtchatOptions(String host, int port, boolean tls, boolean webSocket, String webSocketPath,
    String username, String password, String room, Identity identity, String publicKeyString,
    RtchatKeyStore keyStore) {

  static final String DEFAULT_ROOM = "chat";
  private static final Set<String> OPTIONS =
      Set.of("dialect", "room", "key", "knownPeers", "username", "password");

  String topic() {
    return "mrtchat/" + room;
  }

  String address() {
    return (webSocket ? (tls ? "mqtt+wss://" : "mqtt+ws://") : (tls ? "mqtts://" : "mqtt://"))
        + host + ":" + port + (webSocket ? webSocketPath : "");
  }

  /**
   * Reads the options.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static RtchatOptions of(PeerConfig config) {
    RtchatNames.check(config.name());
    URI uri = config.signaling();
    if (uri == null) {
      throw new IllegalArgumentException("the rtchat dialect needs a signaling URI such as"
          + " mqtt+wss://broker.emqx.io:8084/mqtt, not a transport instance");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!Set.of("mqtt", "mqtts", "mqtt+ws", "mqtt+wss").contains(scheme)) {
      throw new IllegalArgumentException("the rtchat dialect speaks MQTT: use mqtt://, mqtts://,"
          + " mqtt+ws:// or mqtt+wss://, not " + uri.getScheme() + "://");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("MQTT URI without a host; expected e.g."
          + " mqtt+wss://broker.emqx.io:8084/mqtt");
    }
    boolean tls = scheme.equals("mqtts") || scheme.equals("mqtt+wss");
    boolean webSocket = scheme.startsWith("mqtt+ws");
    int port = uri.getPort() >= 0 ? uri.getPort()
        : webSocket ? (tls ? 443 : 80) : (tls ? 8883 : 1883);
    Map<String, String> query = query(uri);
    String path = uri.getPath() == null ? "" : uri.getPath();
    String webSocketPath = webSocket && !path.isEmpty() && !path.equals("/") ? path : "/mqtt";
    String room = config.room() != null && !config.room().isBlank() ? config.room()
        : query.containsKey("room") ? query.get("room")
        : !webSocket && path.length() > 1 ? path.substring(1)
        : DEFAULT_ROOM;
    if (room.isEmpty() || room.contains("+") || room.contains("#") || room.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("unusable RTChat room '" + room
          + "': it must be non-empty without '+', '#' or NUL");
    }
    String username = query.get("username");
    String password = query.get("password");
    if (uri.getRawUserInfo() != null && username == null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      username = decode(colon < 0 ? info : info.substring(0, colon));
      if (colon >= 0 && password == null) {
        password = decode(info.substring(colon + 1));
      }
    }
    Identity identity;
    if (query.containsKey("key")) {
      try {
        identity = Identity.load(Path.of(query.get("key")));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the RTChat key " + query.get("key"), e);
      }
      if (identity.type() != KeyType.RSA_PSS) {
        throw new IllegalArgumentException("RTChat keys are RSA-PSS keys; " + query.get("key")
            + " holds a " + identity.type() + " key");
      }
    } else {
      identity = Identity.generate(KeyType.RSA_PSS);
    }
    RtchatKeyStore keyStore = query.containsKey("knownPeers")
        ? RtchatKeyStore.file(Path.of(query.get("knownPeers"))) : RtchatKeyStore.inMemory();
    return new RtchatOptions(host, port, tls, webSocket, webSocketPath, username, password, room,
        identity, RtchatKeys.publicKeyString(identity.publicKey()), keyStore);
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> options = UriQuery.parse(uri);
    for (String key : options.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("unknown option '" + key + "' for the rtchat dialect;"
            + " known: room, key, knownPeers, username, password");
      }
    }
    return options;
  }

  private static String decode(String raw) {
    return URLDecoder.decode(raw, StandardCharsets.UTF_8);
  }
}
