package io.rtchat.core;

import io.rtchat.core.auth.PeerAuthenticator;
import io.rtchat.core.dialect.DialectPeer;
import io.rtchat.core.dialect.PeerConfig;
import io.rtchat.core.signal.Envelope;
import io.rtchat.core.signal.Envelope.Kind;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.EnvelopeCodec.MalformedEnvelopeException;
import io.rtchat.core.signal.EnvelopeSealer;
import io.rtchat.core.signal.EnvelopeSealer.RejectedEnvelopeException;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.TransportState;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native dialect: envelopes of PROTOCOL.md through any {@link SignalingTransport}, one data
 * channel per session. What {@link Peer} runs unless another dialect is chosen.
 */
final class NativePeer implements DialectPeer {

  private static final Logger log = LoggerFactory.getLogger(NativePeer.class);
  private static final Duration FIRST_REANNOUNCE = Duration.ofSeconds(1);
  private static final Duration MAX_REANNOUNCE = Duration.ofSeconds(30);
  private static final int MAX_REFUSALS_REMEMBERED = 1024;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final SignalingTransport transport;
  private final String room;
  private final String instance = randomId();
  private final PeerListener listener;
  private final ConnectionPolicy policy;
  private final PeerAuthenticator authenticator;
  private final EnvelopeSealer sealer;
  private final Map<String, QuestionHandler> handlers;
  private final Path receiveDirectory;
  private final long maxFileBytes;
  private final List<String> iceServers;
  private final Duration authTimeout;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final SerialExecutor control;
  private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
  private final Set<String> refusals = new LinkedHashSet<>();
  private volatile boolean closed;
  private volatile int announceBytes;
  private Duration reannounceDelay = FIRST_REANNOUNCE;

  NativePeer(PeerConfig config, SignalingTransport transport) {
    this.name = config.name();
    this.transport = transport;
    this.room = config.room();
    this.listener = config.listener();
    this.policy = config.policy();
    this.authenticator = config.authenticator();
    this.sealer = config.sealer();
    this.handlers = config.handlers();
    this.receiveDirectory = config.receiveDirectory();
    this.maxFileBytes = config.maxFileBytes();
    this.iceServers = config.iceServers();
    this.authTimeout = config.authTimeout();
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory daemons = r -> {
      Thread thread = new Thread(r, "rtchat-" + name + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    this.workers = Executors.newCachedThreadPool(daemons);
    this.timer = Executors.newSingleThreadScheduledExecutor(daemons);
    this.control = new SerialExecutor(workers, 4096);
  }

  String name() {
    return name;
  }

  @Override
  public String room() {
    return room;
  }

  @Override
  public TransportState signalingState() {
    return transport.state();
  }

  /** Open sessions, in no particular order. */
  @Override
  public List<PeerSession> sessions() {
    return links.values().stream().filter(PeerLink::isOpen).map(PeerSession.class::cast).toList();
  }

  @Override
  public Optional<PeerSession> session(String peerName) {
    PeerLink link = links.get(peerName);
    return link != null && link.isOpen() ? Optional.of(link) : Optional.empty();
  }

  /**
   * Joins the room: connects the transport and announces this peer. Completes when the transport
   * is connected; sessions then open as peers are found ({@link PeerListener#onConnected}).
   */
  @Override
  public CompletableFuture<Void> join() {
    byte[] goodbye = encode(new Envelope(Kind.BYE, room, name, instance, null, "vanished"));
    return transport.join(new JoinSpec(room, name, goodbye), new TransportEvents())
        .thenRun(() -> control.execute(() -> {
          announce(null);
          scheduleReannounce();
        }));
  }

  /** Closes every session, says goodbye to the room and leaves it. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (PeerLink link : links.values()) {
      link.close();
    }
    try {
      send(null, new Envelope(Kind.BYE, room, name, instance, null, "left"))
          .get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("goodbye not delivered: {}", e.toString());
    }
    transport.close();
    timer.shutdownNow();
    control.shutdown();
    workers.shutdown();
  }

  // ---- signaling ----

  private final class TransportEvents implements SignalingListener {
    @Override
    public void onPayload(byte[] payload) {
      try {
        control.execute(() -> receive(payload));
      } catch (RejectedExecutionException e) {
        log.warn("signaling queue full; dropped a payload of {} bytes", payload.length);
      }
    }

    @Override
    public void onStateChanged(TransportState state) {
      try {
        control.execute(() -> {
          if (state == TransportState.RECONNECTED) {
            reannounceDelay = FIRST_REANNOUNCE;
            announce(null);
          }
          emit(l -> l.onSignalingState(state));
        });
      } catch (RejectedExecutionException e) {
        log.warn("signaling queue full; dropped state {}", state);
      }
    }
  }

  private void receive(byte[] payload) {
    if (closed) {
      return;
    }
    Envelope envelope;
    try {
      envelope = EnvelopeCodec.decode(sealer.open(payload));
    } catch (RejectedEnvelopeException | MalformedEnvelopeException e) {
      log.debug("ignored a signaling payload of {} bytes: {}", payload.length, e.getMessage());
      return;
    } catch (RuntimeException e) {
      log.debug("ignored an unreadable signaling payload", e);
      return;
    }
    if (!room.equals(envelope.room()) || envelope.from().equals(name)
        || (envelope.to() != null && !envelope.to().equals(name))) {
      if (envelope.from().equals(name) && !envelope.instance().equals(instance)) {
        log.warn("another peer in room {} uses the name {}", room, name);
      }
      return;
    }
    String from = envelope.from();
    PeerLink link = links.get(from);
    if (link != null && !link.remoteInstance().equals(envelope.instance())) {
      if (envelope.kind() == Kind.ANNOUNCE || envelope.kind() == Kind.OFFER) {
        link.close("peer restarted");
        links.remove(from, link);
        link = null;
      } else {
        return; // stale message from a previous run of that peer
      }
    }
    switch (envelope.kind()) {
      case ANNOUNCE -> onAnnounce(envelope, link);
      case OFFER -> onOffer(envelope, link);
      case ANSWER -> {
        if (link != null && link.isOfferer() && envelope.body() != null) {
          link.onAnswer(envelope.body());
        }
      }
      case CANDIDATE -> {
        if (link != null && envelope.body() != null) {
          link.onRemoteCandidate(envelope.body());
        }
      }
      case BYE -> {
        if (link != null) {
          link.close(envelope.body() == null ? "left" : envelope.body());
        }
      }
    }
    PeerLink current = links.get(from);
    if (current != null) {
      current.countSignaling(payload.length);
    }
  }

  private void onAnnounce(Envelope envelope, PeerLink existing) {
    if (existing != null) {
      return;
    }
    String from = envelope.from();
    if (envelope.to() == null) {
      announce(from); // so that a newcomer learns of us without waiting for our re-announce
    }
    if (name.compareTo(from) < 0) {
      decide(from, envelope.instance(), () -> {
        PeerLink link = new PeerLink(this, from, envelope.instance(), true);
        link.countSignaling(announceBytes);
        links.put(from, link);
        link.startOffer();
      });
    }
  }

  private void onOffer(Envelope envelope, PeerLink existing) {
    if (existing != null || envelope.body() == null) {
      return; // duplicate offer for a link in progress
    }
    String from = envelope.from();
    String offer = envelope.body();
    decide(from, envelope.instance(), () -> {
      PeerLink link = new PeerLink(this, from, envelope.instance(), false);
      link.countSignaling(announceBytes);
      links.put(from, link);
      link.acceptOffer(offer);
    });
  }

  /** Asks the policy, then runs {@code connect} on the control executor if accepted. */
  private void decide(String peerName, String peerInstance, Runnable connect) {
    String key = peerName + "/" + peerInstance;
    if (refusals.contains(key)) {
      return;
    }
    CompletableFuture<Boolean> decision;
    try {
      decision = policy.decide(new ConnectionRequest(peerName, room)).toCompletableFuture();
    } catch (RuntimeException e) {
      decision = CompletableFuture.failedFuture(e);
    }
    decision.whenComplete((accepted, error) -> control.execute(() -> {
      if (closed || links.containsKey(peerName)) {
        return;
      }
      if (error == null && Boolean.TRUE.equals(accepted)) {
        connect.run();
        return;
      }
      if (refusals.size() >= MAX_REFUSALS_REMEMBERED) {
        refusals.remove(refusals.iterator().next());
      }
      refusals.add(key);
      String reason = error == null ? "refused by connection policy"
          : "connection policy failed: " + PeerLink.rootMessage(error);
      send(peerName, new Envelope(Kind.BYE, room, name, instance, peerName, "rejected"));
      rejected(peerName, reason);
    }));
  }

  private void announce(String target) {
    byte[] bytes = encode(new Envelope(Kind.ANNOUNCE, room, name, instance, target, null));
    announceBytes = bytes.length;
    transport.send(target, bytes).exceptionally(error -> {
      log.debug("announce not sent: {}", error.toString());
      return null;
    });
  }

  /** Re-announces with growing pauses while this peer has no session: announces can be lost. */
  private void scheduleReannounce() {
    if (closed) {
      return;
    }
    Duration delay = reannounceDelay;
    reannounceDelay = delay.multipliedBy(2).compareTo(MAX_REANNOUNCE) > 0
        ? MAX_REANNOUNCE : delay.multipliedBy(2);
    try {
      timer.schedule(() -> control.execute(() -> {
        if (!closed && links.isEmpty()) {
          announce(null);
        }
        scheduleReannounce();
      }), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Sends a signaling envelope about a link, counting its bytes for that link. */
  void signal(PeerLink link, Kind kind, String body) {
    byte[] bytes = encode(new Envelope(kind, room, name, instance, link.remoteName(), body));
    link.countSignaling(bytes.length);
    transport.send(link.remoteName(), bytes).exceptionally(error -> {
      log.debug("{} to {} not sent: {}", kind, link.remoteName(), error.toString());
      return null;
    });
  }

  private CompletableFuture<Void> send(String target, Envelope envelope) {
    try {
      return transport.send(target, encode(envelope));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private byte[] encode(Envelope envelope) {
    return sealer.seal(EnvelopeCodec.encode(envelope));
  }

  // ---- called by links ----

  void opened(PeerLink link) {
    emit(l -> l.onConnected(link));
  }

  void closed(PeerLink link, boolean wasOpen, String reason) {
    links.remove(link.remoteName(), link);
    if (wasOpen) {
      emit(l -> l.onDisconnected(link, reason));
    }
  }

  void rejected(String peerName, String reason) {
    emit(l -> l.onRejected(peerName, reason));
  }

  /** Calls the listener; an exception it throws is logged and goes no further. */
  void emit(Consumer<PeerListener> event) {
    try {
      event.accept(listener);
    } catch (Throwable t) {
      log.warn("peer listener failed", t);
    }
  }

  /** Runs a task later on the peer's timer; nothing runs once the peer is closed. */
  void schedule(Runnable task, Duration delay) {
    try {
      timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  Duration connectTimeout() {
    return CONNECT_TIMEOUT;
  }

  ExecutorService workers() {
    return workers;
  }

  List<String> iceServers() {
    return iceServers;
  }

  PeerAuthenticator authenticator() {
    return authenticator;
  }

  Duration authTimeout() {
    return authTimeout;
  }

  QuestionHandler questionHandler(String topic) {
    return handlers.get(topic);
  }

  Path receiveDirectory() {
    return receiveDirectory;
  }

  long maxFileBytes() {
    return maxFileBytes;
  }

  private static String randomId() {
    byte[] bytes = new byte[6];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
