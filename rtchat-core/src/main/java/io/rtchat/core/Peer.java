package io.rtchat.core;

import io.rtchat.core.auth.PeerAuthenticator;
import io.rtchat.core.dialect.Dialect;
import io.rtchat.core.dialect.DialectPeer;
import io.rtchat.core.dialect.PeerConfig;
import io.rtchat.core.signal.EnvelopeSealer;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransportProvider;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import io.rtchat.core.signal.UriQuery;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One participant in a room. It announces itself through a signaling transport, connects to the
 * peers it finds (as its {@link ConnectionPolicy} allows), and gives the application a {@link
 * PeerSession} per connected peer.
 *
 * <pre>{@code
 * try (Peer alice = Peer.builder().name("alice").signaling(URI.create("mem://demo/lobby"))
 *     .listener(listener).build()) {
 *   alice.join().get(10, TimeUnit.SECONDS);
 *   ...
 * }
 * }</pre>
 */
public final class Peer implements AutoCloseable {

  /** Largest encoded chat message, question or answer; bigger data goes as a stream. */
  public static final int MAX_MESSAGE_BYTES = 256 * 1024;

  /** The built-in dialect, see PROTOCOL.md. */
  public static final String NATIVE = "native";

  private final String name;
  private final DialectPeer dialectPeer;

  private Peer(String name, DialectPeer dialectPeer) {
    this.name = name;
    this.dialectPeer = dialectPeer;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String name() {
    return name;
  }

  public String room() {
    return dialectPeer.room();
  }

  /**
   * Joins the room: connects the transport and announces this peer. Completes when the transport
   * is connected; sessions then open as peers are found ({@link PeerListener#onConnected}).
   */
  public CompletableFuture<Void> join() {
    return dialectPeer.join();
  }

  public TransportState signalingState() {
    return dialectPeer.signalingState();
  }

  /** Open sessions, in no particular order. */
  public List<PeerSession> sessions() {
    return dialectPeer.sessions();
  }

  public Optional<PeerSession> session(String peerName) {
    return dialectPeer.session(peerName);
  }

  /** Closes every session, says goodbye to the room and leaves it. Idempotent. */
  @Override
  public void close() {
    dialectPeer.close();
  }

  /** Builds a {@link Peer}. Only {@link #name} and a signaling URI or transport are required. */
  public static final class Builder {
    private String name;
    private URI signaling;
    private SignalingTransport transport;
    private String room;
    private PeerListener listener = new PeerListener() {};
    private ConnectionPolicy policy = ConnectionPolicy.acceptAll();
    private PeerAuthenticator authenticator = PeerAuthenticator.NONE;
    private EnvelopeSealer sealer = EnvelopeSealer.NONE;
    private final Map<String, QuestionHandler> handlers = new HashMap<>(Map.of(
        "echo", (from, content) -> CompletableFuture.completedFuture(content),
        "ping", (from, content) -> CompletableFuture.completedFuture("pong")));
    private Path receiveDirectory;
    private long maxFileBytes = 4L * 1024 * 1024 * 1024;
    private List<String> iceServers = List.of();
    private Duration authTimeout = Duration.ofSeconds(10);
    private String dialect;

    private Builder() {}

    /** This peer's name in the room: 1–64 characters, no control characters. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Signaling backend by URI, e.g. {@code mqtt://127.0.0.1:1883/lobby}; see {@link SignalingTransports}. */
    public Builder signaling(URI uri) {
      this.signaling = uri;
      return this;
    }

    /** A transport instance instead of a URI (custom backends, tests). */
    public Builder transport(SignalingTransport transport) {
      this.transport = transport;
      return this;
    }

    /** The room; overrides a room named by the signaling URI. */
    public Builder room(String room) {
      this.room = room;
      return this;
    }

    public Builder listener(PeerListener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    public Builder connectionPolicy(ConnectionPolicy policy) {
      this.policy = Objects.requireNonNull(policy);
      return this;
    }

    public Builder authenticator(PeerAuthenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator);
      return this;
    }

    /** Signs and/or encrypts signaling envelopes (rtchat-identity). */
    public Builder envelopeSealer(EnvelopeSealer sealer) {
      this.sealer = Objects.requireNonNull(sealer);
      return this;
    }

    /** Answers questions of a topic; {@code echo} and {@code ping} are answered by default. */
    public Builder answer(String topic, QuestionHandler handler) {
      handlers.put(topic, Objects.requireNonNull(handler));
      return this;
    }

    /** Accepts incoming files into this directory; without it, files are refused. */
    public Builder receiveDirectory(Path directory) {
      this.receiveDirectory = directory.toAbsolutePath().normalize();
      return this;
    }

    public Builder maxFileBytes(long maxFileBytes) {
      this.maxFileBytes = maxFileBytes;
      return this;
    }

    /** STUN/TURN server URLs; none by default (host candidates only). */
    public Builder iceServers(List<String> urls) {
      this.iceServers = List.copyOf(urls);
      return this;
    }

    public Builder authTimeout(Duration timeout) {
      this.authTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * The dialect to speak: {@code native} by default, or one found by {@link ServiceLoader}
     * (e.g. {@code rtchat}). The signaling URI's {@code dialect} query parameter works too.
     */
    public Builder dialect(String dialect) {
      this.dialect = dialect;
      return this;
    }

    /**
     * Builds the peer; nothing connects until {@link Peer#join()}.
     *
     * @throws IllegalArgumentException when the name, room or signaling choice is invalid
     * @throws SignalingTransports.UnknownSchemeException for a URI scheme no provider serves
     */
    public Peer build() {
      if (name == null || name.isEmpty() || name.length() > 64
          || name.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("peer name must be 1-64 characters without control characters");
      }
      if ((signaling == null) == (transport == null)) {
        throw new IllegalArgumentException("give exactly one of signaling(URI) and transport(...)");
      }
      String chosenDialect = dialect != null ? dialect
          : signaling == null ? null : UriQuery.parse(signaling).get("dialect");
      if (chosenDialect != null && !chosenDialect.equals(NATIVE)) {
        Map<String, Dialect> available = dialects();
        Dialect found = available.get(chosenDialect);
        if (found == null) {
          throw new IllegalArgumentException("unknown dialect '" + chosenDialect
              + "'; available: " + NATIVE + (available.isEmpty() ? "" : ", ")
              + String.join(", ", available.keySet()));
        }
        return new Peer(name, found.create(config(room)));
      }
      SignalingTransport chosen = transport;
      String chosenRoom = room;
      if (signaling != null) {
        SignalingTransportProvider provider = SignalingTransports.providerFor(signaling);
        if (chosenRoom == null) {
          chosenRoom = provider.roomOf(signaling);
        }
        if (chosenRoom == null || chosenRoom.isBlank()) {
          throw new IllegalArgumentException("no room: name one with room(...) or in the URI " + signaling);
        }
        chosen = provider.create(signaling);
      } else if (chosenRoom == null || chosenRoom.isBlank()) {
        throw new IllegalArgumentException("no room: name one with room(...)");
      }
      return new Peer(name, new NativePeer(config(chosenRoom), chosen));
    }

    private PeerConfig config(String chosenRoom) {
      return new PeerConfig(name, signaling, transport, chosenRoom, listener, policy, authenticator,
          sealer, handlers, receiveDirectory, maxFileBytes, iceServers, authTimeout);
    }
  }

  /** The dialects found on the class path by name, besides the built-in {@link #NATIVE}. */
  public static Map<String, Dialect> dialects() {
    Map<String, Dialect> byName = new TreeMap<>();
    for (Dialect dialect : ServiceLoader.load(Dialect.class, Peer.class.getClassLoader())) {
      byName.putIfAbsent(dialect.name(), dialect);
    }
    return byName;
  }
}
