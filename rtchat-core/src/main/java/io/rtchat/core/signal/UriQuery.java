package io.rtchat.core.signal;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The query of a signaling URI as options: {@code mqtt://host/room?version=3&clientId=x}. */
public final class UriQuery {

  private UriQuery() {}

  /**
   * The decoded options in their order; a key without {@code =} has the value "".
   *
   * @throws IllegalArgumentException when a key is given twice (which one would count is a guess)
   */
  public static Map<String, String> parse(URI uri) {
    Map<String, String> options = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return Collections.unmodifiableMap(options);
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (options.put(key, value) != null) {
        throw new IllegalArgumentException("URI option '" + key + "' given twice in " + uri);
      }
    }
    return Collections.unmodifiableMap(options);
  }

  private static String decode(String raw) {
    return URLDecoder.decode(raw, StandardCharsets.UTF_8);
  }
}
