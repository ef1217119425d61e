package io.rtchat.core.dialect;

import io.rtchat.core.ConnectionPolicy;
import io.rtchat.core.PeerListener;
import io.rtchat.core.QuestionHandler;
import io.rtchat.core.auth.PeerAuthenticator;
import io.rtchat.core.signal.EnvelopeSealer;
import io.rtchat.core.signal.SignalingTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@code Peer.Builder} was told, validated, for the chosen dialect.
 *
 * @param name this peer's name
 * @param signaling the signaling URI, or null when {@code transport} was given
 * @param transport a transport instance given directly, or null
 * @param room the room (from the builder or the URI)
 * @param handlers question handlers by topic ({@code echo} and {@code ping} included)
 * @param receiveDirectory where incoming files go; null refuses files
 */
public record PeerConfig(String name, URI signaling, SignalingTransport transport, String room,
    PeerListener listener, ConnectionPolicy policy, PeerAuthenticator authenticator,
    EnvelopeSealer sealer, Map<String, QuestionHandler> handlers, Path receiveDirectory,
    long maxFileBytes, List<String> iceServers, Duration authTimeout) {

  public PeerConfig {
    handlers = Map.copyOf(handlers);
    iceServers = List.copyOf(iceServers);
  }
}
