package io.rtchat.signal.mqtt.rtchat;

import io.rtchat.core.dialect.Dialect;
import io.rtchat.core.dialect.DialectPeer;
import io.rtchat.core.dialect.PeerConfig;

/**
 * The RTChat dialect: talks with the unmodified RTChat browser page (protocols/rtchat-mqtt.md)
 * over MQTT 3.1.1 on topic {@code mrtchat/<room>}, one WebRTC connection with RTChat's eleven data
 * channels per peer, and RTChat's RSA-PSS identify/challenge.
 *
 * <p>Chosen with {@code Peer.builder().dialect("rtchat")} or {@code ?dialect=rtchat} in the
 * signaling URI. URI forms: {@code mqtt://host:1883/room}, {@code mqtts://host:8883/room},
 * {@code mqtt+ws://host:port/mqtt?room=room}, {@code mqtt+wss://broker.emqx.io:8084/mqtt}; the
 * room defaults to {@code chat}, the page's default. Query options: {@code room}, {@code key}
 * (an RSA private key file written by {@code Identity.save}; otherwise a fresh key per run),
 * {@code knownPeers} (a JSON file of trusted keys, see {@link RtchatKeyStore}; otherwise in
 * memory), {@code username}, {@code password}.
 */
public final class RtchatDialect implements Dialect {

  public static final String NAME = "rtchat";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DialectPeer create(PeerConfig config) {
    return new RtchatPeer(config, RtchatOptions.of(config));
  }
}
