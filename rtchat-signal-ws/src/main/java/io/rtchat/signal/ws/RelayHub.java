package io.rtchat.signal.ws;

import io.rtchat.signal.ws.RelayFrames.MalformedFrameException;
import io.rtchat.signal.ws.RelayFrames.Parsed;
import io.rtchat.signal.ws.RelayFrames.Payload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room logic of the WebSocket signaling relay, free of any IO: peers join a room by name, learn
 * who is there, and send opaque payloads to the room or to one peer; a peer that vanishes without
 * leaving has its goodbye payload delivered for it. The wire protocol is in {@code PROTOCOL.md}.
 *
 * <p>A server mounts the hub by calling {@link #open} for each WebSocket connection and feeding the
 * returned {@link Link} the connection's text frames and its close. {@link StandaloneRelay} does so
 * on Java-WebSocket; rtchat-server does so on Jetty. Thread-safe; frames of one connection must be
 * fed in order (as every WebSocket server does).
 */
public final class RelayHub implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RelayHub.class);

  /** Close codes the hub uses (RFC 6455 section 7.4.1). */
  static final int GOING_AWAY = 1001;
  static final int POLICY_VIOLATION = 1008;
  static final int TOO_BIG = 1009;
  static final int SERVER_ERROR = 1011;
  static final int TRY_AGAIN_LATER = 1013;
  /** Private-use code: another connection took over this peer's name with the same session. */
  static final int REPLACED = 4000;

  private final RelayLimits limits;
  private final RelayAuthenticator authenticator;
  private final LongSupplier nanoClock;
  private final Delays delays;

  // Guarded by this. Frames are handed to connections while holding it (RelayConnection.send never
  // blocks), so that every connection sees frames in routing order; closes run after it is released.
  private final Map<String, Map<String, Link>> rooms = new HashMap<>();
  private final Set<Link> links = new HashSet<>();
  private final List<Runnable> pendingCloses = new ArrayList<>();
  /** Goodbyes held back for {@link RelayLimits#goodbyeDelay()}, by room and name. */
  private final Map<List<String>, HeldGoodbye> heldGoodbyes = new HashMap<>();
  private boolean closed;

  /** A vanished peer whose goodbye and leave the room has not seen yet. */
  private record HeldGoodbye(String room, String name, String session, Payload goodbye,
      Runnable cancel) {}

  /** A hub that lets every client join. */
  public RelayHub(RelayLimits limits) {
    this(limits, RelayAuthenticator.OPEN);
  }

  public RelayHub(RelayLimits limits, RelayAuthenticator authenticator) {
    this(limits, authenticator, System::nanoTime);
  }

  RelayHub(RelayLimits limits, RelayAuthenticator authenticator, LongSupplier nanoClock) {
    this(limits, authenticator, nanoClock, Delays.daemonThread("rtchat-relay-goodbyes"));
  }

  RelayHub(RelayLimits limits, RelayAuthenticator authenticator, LongSupplier nanoClock,
      Delays delays) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.delays = Objects.requireNonNull(delays, "delays");
  }

  public RelayLimits limits() {
    return limits;
  }

  /**
   * Registers a newly opened connection. Feed its frames and its close to the returned link. When
   * the hub is full or closed the connection is closed at once and the link ignores everything.
   */
  public Link open(RelayConnection connection) {
    Objects.requireNonNull(connection, "connection");
    Link link = new Link(connection);
    synchronized (this) {
      if (closed) {
        evict(link, GOING_AWAY, "relay is shutting down");
      } else if (links.size() >= limits.maxConnections()) {
        evict(link, TRY_AGAIN_LATER, "relay is full; try again later");
      } else {
        links.add(link);
      }
    }
    runPendingCloses();
    return link;
  }

  /** Names of the peers in a room, in order of joining; empty when the room does not exist. */
  public synchronized List<String> peers(String room) {
    Map<String, Link> members = rooms.get(room);
    return members == null ? List.of() : List.copyOf(members.keySet());
  }

  /** Rooms with at least one peer. */
  public synchronized int roomCount() {
    return rooms.size();
  }

  /** Open connections, joined or not. */
  public synchronized int connectionCount() {
    return links.size();
  }

  /**
   * Closes every connection with 1001 (going away) without delivering goodbyes: the peers did not
   * vanish, the relay did. Later connections are refused.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      for (Link link : List.copyOf(links)) {
        link.room = null;
        evict(link, GOING_AWAY, "relay is shutting down");
      }
      rooms.clear();
      heldGoodbyes.clear();
    }
    delays.shutdown();
    runPendingCloses();
  }

  /** One connection's view of the hub. */
  public final class Link {
    private final RelayConnection connection;
    private final TokenBucket frames;
    private final TokenBucket violations;
    private boolean gone;
    private String room;
    private String name;
    private String session;
    private Payload goodbye;

    private Link(RelayConnection connection) {
      this.connection = connection;
      this.frames = new TokenBucket(limits.frameBurst(), limits.framesPerSecond(), nanoClock);
      this.violations = new TokenBucket(
          limits.violationBurst(), limits.violationsForgivenPerSecond(), nanoClock);
    }

    /** A text frame arrived on this connection. */
    public void onText(String frame) {
      synchronized (RelayHub.this) {
        handle(this, frame);
      }
      runPendingCloses();
    }

    /** A binary frame arrived; the protocol has none, so it counts as a bad frame. */
    public void onBinary() {
      synchronized (RelayHub.this) {
        if (!gone && admit(this)) {
          violation(this, "bad-frame", "binary frames are not part of the protocol; send text");
        }
      }
      runPendingCloses();
    }

    /** The connection closed, for whatever reason. Idempotent. */
    public void onClosed() {
      synchronized (RelayHub.this) {
        if (!gone) {
          gone = true;
          links.remove(this);
          leaveRoom(this, true);
        }
      }
      runPendingCloses();
    }

    /** The peer name this connection joined with, or {@code null}. */
    public String name() {
      synchronized (RelayHub.this) {
        return name;
      }
    }

    /** The room this connection joined, or {@code null}. */
    public String room() {
      synchronized (RelayHub.this) {
        return room;
      }
    }
  }

  // ---- everything below runs holding the hub's lock

  private void handle(Link link, String frame) {
    if (link.gone) {
      return;
    }
    long bytes = RelayFrames.utf8Length(frame);
    if (bytes > limits.maxFrameBytes()) {
      evict(link, TOO_BIG, "frame of " + bytes + " bytes exceeds the limit of "
          + limits.maxFrameBytes());
      return;
    }
    if (!admit(link)) {
      return;
    }
    Parsed parsed;
    try {
      parsed = RelayFrames.parse(frame);
    } catch (MalformedFrameException e) {
      violation(link, "bad-frame", e.getMessage());
      return;
    }
    String op = parsed.op();
    if (op == null) {
      violation(link, "bad-frame", "frame lacks the string field 'op'");
      return;
    }
    try {
      switch (op) {
        case "join" -> join(link, parsed);
        case "send" -> send(link, parsed);
        case "leave" -> {
          leaveRoom(link, false);
          deliver(link, RelayFrames.left());
        }
        default -> violation(link, "unknown-op",
            "unknown op '" + op + "'; expected join, send or leave");
      }
    } catch (MalformedFrameException e) {
      violation(link, "bad-frame", e.getMessage());
    }
  }

  /** Applies the rate limit; a dropped frame counts as a violation. */
  private boolean admit(Link link) {
    if (link.frames.tryTake()) {
      return true;
    }
    violation(link, "rate-limited", "more than " + limits.framesPerSecond()
        + " frames per second; frame dropped");
    return false;
  }

  /** Answers with an error frame, or closes the connection once it has misbehaved too often. */
  private void violation(Link link, String code, String message) {
    if (link.violations.tryTake()) {
      deliver(link, RelayFrames.error(code, message));
    } else {
      LOG.info("closing relay connection {} after repeated violations (last: {})",
          link.name == null ? "(not joined)" : link.name, message);
      evict(link, POLICY_VIOLATION, "too many bad or excess frames; last: " + message);
    }
  }

  /** Refuses a join: the client learns why, then the connection closes. */
  private void refuse(Link link, String code, String message) {
    deliver(link, RelayFrames.error(code, message));
    evict(link, POLICY_VIOLATION, message);
  }

  private void join(Link link, Parsed frame) {
    if (link.room != null) {
      violation(link, "already-joined", "already joined room '" + link.room + "'; leave first");
      return;
    }
    String room = frame.get("room");
    String name = frame.get("name");
    String problem = checkName("room", room);
    if (problem == null) {
      problem = checkName("name", name);
    }
    if (problem != null) {
      refuse(link, "bad-join", problem);
      return;
    }
    Payload goodbye = Payload.from(frame, "goodbye");
    if (!authenticator.permits(room, name, frame.get("token"))) {
      refuse(link, "unauthorized", "the relay refused the token; check the token= parameter");
      return;
    }
    String session = frame.get("session");
    boolean resumed = false;
    HeldGoodbye held = heldGoodbyes.remove(List.of(room, name));
    if (held != null) {
      held.cancel().run();
      if (session != null && session.equals(held.session())) {
        resumed = true; // the vanished client is back in time: the room never learns it was gone
      } else {
        announceDeparture(held.room(), held.name(), held.goodbye());
      }
    }
    // Looked up only now: announcing a departure may have evicted slow readers, even a whole room.
    Map<String, Link> members = rooms.get(room);
    if (members == null && rooms.size() >= limits.maxRooms()) {
      refuse(link, "too-many-rooms", "the relay already serves " + limits.maxRooms() + " rooms");
      return;
    }
    Link previous = members == null ? null : members.get(name);
    if (previous != null) {
      if (session == null || !session.equals(previous.session)) {
        refuse(link, "name-taken", "name '" + name + "' is already in use in room '" + room
            + "'; choose another name");
        return;
      }
      // The same client reconnected before the relay noticed its old connection was dead.
      members.remove(name);
      previous.room = null;
      evict(previous, REPLACED, "replaced by a newer connection of the same session");
    } else if (members != null && members.size() >= limits.maxPeersPerRoom()) {
      refuse(link, "room-full", "room '" + room + "' already has " + limits.maxPeersPerRoom()
          + " peers");
      return;
    }
    if (members == null) {
      members = new LinkedHashMap<>();
      rooms.put(room, members);
    }
    List<String> present = List.copyOf(members.keySet());
    List<Link> others = List.copyOf(members.values());
    members.put(name, link);
    link.room = room;
    link.name = name;
    link.session = session;
    link.goodbye = goodbye;
    deliver(link, RelayFrames.joined(room, present));
    if (previous == null && !resumed) {
      String joinedFrame = RelayFrames.presence("peer-joined", name);
      for (Link other : others) {
        deliver(other, joinedFrame);
      }
    }
    LOG.debug("{} joined room {} ({} peers)", name, room, members.size());
  }

  private void send(Link link, Parsed frame) {
    if (link.room == null) {
      violation(link, "not-joined", "send before join; send a join frame first");
      return;
    }
    Payload data = Payload.from(frame, "data");
    if (data == null) {
      violation(link, "bad-frame", "send frame lacks 'data' or 'data64'");
      return;
    }
    Map<String, Link> members = rooms.get(link.room);
    String to = frame.get("to");
    String msg = RelayFrames.msg(link.name, data);
    if (to == null) {
      for (Link other : List.copyOf(members.values())) {
        if (other != link) {
          deliver(other, msg);
        }
      }
      return;
    }
    Link target = members.get(to);
    if (target == null || target == link) {
      deliver(link, RelayFrames.error("unknown-target",
          "no peer named '" + to + "' in room '" + link.room + "'"));
      return;
    }
    deliver(target, msg);
  }

  /** Takes the link out of its room; an unclean leave delivers its goodbye first. */
  private void leaveRoom(Link link, boolean unclean) {
    String room = link.room;
    if (room == null) {
      return;
    }
    String name = link.name;
    Payload goodbye = link.goodbye;
    link.room = null;
    link.name = null;
    link.goodbye = null;
    Map<String, Link> members = rooms.get(room);
    if (members == null || members.get(name) != link) {
      return;
    }
    members.remove(name);
    if (members.isEmpty()) {
      rooms.remove(room);
      return;
    }
    LOG.debug("{} left room {} ({})", name, room, unclean ? "vanished" : "clean");
    Duration delay = limits.goodbyeDelay();
    String session = link.session;
    if (unclean && goodbye != null && session != null && !delay.isZero() && !closed) {
      List<String> key = List.of(room, name);
      Runnable[] cancel = new Runnable[1];
      HeldGoodbye held = new HeldGoodbye(room, name, session, goodbye, () -> cancel[0].run());
      heldGoodbyes.put(key, held);
      cancel[0] = delays.schedule(() -> releaseGoodbye(key, held), delay);
      return;
    }
    announceDeparture(room, name, unclean ? goodbye : null);
  }

  /** The held goodbye's time is up: the room learns the peer is gone. Runs on the delay thread. */
  private void releaseGoodbye(List<String> key, HeldGoodbye held) {
    synchronized (this) {
      if (!heldGoodbyes.remove(key, held)) {
        return;
      }
      announceDeparture(held.room(), held.name(), held.goodbye());
    }
    runPendingCloses();
  }

  /** Tells the room that {@code name} left, delivering its goodbye first when there is one. */
  private void announceDeparture(String room, String name, Payload goodbye) {
    Map<String, Link> members = rooms.get(room);
    if (members == null) {
      return;
    }
    List<Link> others = List.copyOf(members.values());
    if (goodbye != null) {
      String msg = RelayFrames.msg(name, goodbye);
      for (Link other : others) {
        deliver(other, msg);
      }
    }
    String left = RelayFrames.presence("peer-left", name);
    for (Link other : others) {
      deliver(other, left);
    }
  }

  /** Queues a frame to one link, closing the link instead when its backlog is full. */
  private void deliver(Link link, String frame) {
    if (link.gone) {
      return;
    }
    long size = RelayFrames.utf8Length(frame);
    long queued;
    try {
      queued = link.connection.queuedBytes();
    } catch (RuntimeException e) {
      queued = 0;
    }
    if (queued + size > limits.maxQueuedBytes()) {
      LOG.info("closing relay connection {}: {} bytes wait to be written",
          link.name, queued);
      evict(link, POLICY_VIOLATION, "outbound queue full; the client reads too slowly");
      return;
    }
    try {
      link.connection.send(frame);
    } catch (RuntimeException e) {
      LOG.debug("send to relay connection {} failed", link.name, e);
      evict(link, SERVER_ERROR, "send failed");
    }
  }

  /** Drops a link from the hub (delivering its goodbye if it was in a room) and closes it. */
  private void evict(Link link, int code, String reason) {
    if (link.gone) {
      return;
    }
    link.gone = true;
    links.remove(link);
    leaveRoom(link, true);
    RelayConnection connection = link.connection;
    pendingCloses.add(() -> connection.close(code, reason));
  }

  private static final int MAX_CONTROL = 0x1f;

  private String checkName(String field, String value) {
    if (value == null || value.isBlank()) {
      return "join needs a non-blank string '" + field + "'";
    }
    if (value.length() > limits.maxNameLength()) {
      return "'" + field + "' is longer than " + limits.maxNameLength() + " characters";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= MAX_CONTROL || c == 0x7f) {
        return "'" + field + "' contains control characters";
      }
    }
    return null;
  }

  // ---- outside the lock

  private void runPendingCloses() {
    List<Runnable> closes;
    synchronized (this) {
      if (pendingCloses.isEmpty()) {
        return;
      }
      closes = List.copyOf(pendingCloses);
      pendingCloses.clear();
    }
    for (Runnable close : closes) {
      try {
        close.run();
      } catch (RuntimeException e) {
        LOG.debug("closing a relay connection failed", e);
      }
    }
  }
}
