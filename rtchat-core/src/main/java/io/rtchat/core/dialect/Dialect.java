package io.rtchat.core.dialect;

/**
 * A way of speaking with other peers: how they meet, negotiate and what travels on the data
 * channels. {@code native} (PROTOCOL.md) is built in; others are found with {@link
 * java.util.ServiceLoader} by name, e.g. {@code rtchat} in rtchat-signal-mqtt, which talks to the
 * RTChat browser page. Applications choose one with {@code Peer.builder().dialect(name)} or the
 * signaling URI's {@code dialect} query parameter and keep using the same {@code Peer}, {@code
 * PeerSession} and {@code PeerListener}.
 */
public interface Dialect {

  /** The name applications choose this dialect by, lower case. */
  String name();

  /**
   * Creates an unjoined peer.
   *
   * @throws IllegalArgumentException when the configuration does not suit this dialect
   */
  DialectPeer create(PeerConfig config);
}
