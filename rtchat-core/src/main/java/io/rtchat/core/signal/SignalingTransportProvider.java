package io.rtchat.core.signal;

import java.net.URI;
import java.util.Set;

/**
 * Creates transports for URI schemes. Found by {@link java.util.ServiceLoader}: a third party adds
 * a transport with one implementation of this interface and one line in {@code
 * META-INF/services/io.rtchat.core.signal.SignalingTransportProvider}.
 */
public interface SignalingTransportProvider {

  /** The URI schemes this provider serves, lower case, e.g. {@code mqtt}, {@code mqtts}. */
  Set<String> schemes();

  /**
   * Creates an unconnected transport for {@code uri}.
   *
   * @throws IllegalArgumentException naming what is wrong with the URI
   */
  SignalingTransport create(URI uri);

  /**
   * The room named by the URI, or {@code null} when it names none. By default the URI path without
   * its leading slash, or the {@code room} query parameter.
   */
  default String roomOf(URI uri) {
    String room = UriQuery.parse(uri).get("room");
    if (room != null && !room.isEmpty()) {
      return room;
    }
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return null;
    }
    return path.startsWith("/") ? path.substring(1) : path;
  }
}
