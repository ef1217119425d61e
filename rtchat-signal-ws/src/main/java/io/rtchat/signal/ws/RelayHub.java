package io.rtchat.signal.ws;

import io.rtchat.signal.ws.FederationFrames.Event;
import io.rtchat.signal.ws.FederationFrames.Member;
import io.rtchat.signal.ws.FederationFrames.Snapshot;
import io.rtchat.signal.ws.RelayFrames.MalformedFrameException;
import io.rtchat.signal.ws.RelayFrames.Parsed;
import io.rtchat.signal.ws.RelayFrames.Payload;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
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
 *
 * <p>Hubs of several server instances can share their rooms through a {@link RelayFederation}:
 * a peer then sees, joins with and sends to the peers of every instance as if they were on its
 * own. Names stay unique across instances; a client that reconnects to another instance with the
 * same session takes its name over there without the room noticing.
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

  /** Identifies this hub's lifetime to the hubs it federates with (and breaks name-clash ties). */
  private final String epoch = randomEpoch();
  private RelayFederation federation;
  /** Bumped on every change of this hub's members; orders its snapshots against its events. */
  private long version;
  /** Peers on other hubs, by room and name; each entry is owned by one of {@link #remoteHubs}. */
  private final Map<String, Map<String, RemoteMember>> remoteRooms = new HashMap<>();
  private final Map<String, RemoteHub> remoteHubs = new HashMap<>();

  /**
   * A vanished peer whose goodbye and leave the room has not seen yet; {@code local} when this
   * hub owned its connection (then the other hubs learn of its departure from this one).
   */
  private record HeldGoodbye(String room, String name, String session, Payload goodbye,
      long since, boolean local, Runnable cancel) {}

  /** A peer whose connection another hub holds. */
  private record RemoteMember(String hub, String epoch, Member member) {}

  /** What this hub knows of another: its lifetime, the latest version applied, its members. */
  private static final class RemoteHub {
    final String epoch;
    long version;
    final Map<List<String>, RemoteMember> members = new HashMap<>();

    RemoteHub(String epoch, long version) {
      this.epoch = epoch;
      this.version = version;
    }
  }

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

  /**
   * Names of the peers in a room, in order of joining (this hub's, then other hubs' by join
   * time); empty when the room does not exist.
   */
  public synchronized List<String> peers(String room) {
    Map<String, Link> members = rooms.get(room);
    List<String> names = new ArrayList<>(members == null ? List.of() : members.keySet());
    names.addAll(remoteNames(room));
    return names;
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
      remoteRooms.clear();
      remoteHubs.clear();
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
    private long since;

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
    long since = System.currentTimeMillis();
    HeldGoodbye held = heldGoodbyes.remove(List.of(room, name));
    if (held != null) {
      held.cancel().run();
      if (sameSession(session, held.session())) {
        resumed = true; // the vanished client is back in time: the room never learns it was gone
        since = held.since();
      } else {
        releaseHeld(held);
      }
    }
    // Looked up only now: announcing a departure may have evicted slow readers, even a whole room.
    Map<String, Link> members = rooms.get(room);
    if (members == null && rooms.size() >= limits.maxRooms()) {
      refuse(link, "too-many-rooms", "the relay already serves " + limits.maxRooms() + " rooms");
      return;
    }
    Link previous = members == null ? null : members.get(name);
    RemoteMember remote = previous == null ? remoteMember(room, name) : null;
    if (previous != null || remote != null) {
      String holder = previous != null ? previous.session : remote.member().session();
      if (!sameSession(session, holder)) {
        refuse(link, "name-taken", "name '" + name + "' is already in use in room '" + room
            + "'; choose another name");
        return;
      }
      if (previous != null) {
        // The same client reconnected before the relay noticed its old connection was dead.
        members.remove(name);
        previous.room = null;
        since = previous.since;
        evict(previous, REPLACED, "replaced by a newer connection of the same session");
      } else {
        // The client moved here from another server; that server drops it on our join event.
        dropRemote(remote, false, null);
        since = remote.member().since();
        resumed = true;
      }
    } else if ((members == null ? 0 : members.size()) + remoteNames(room).size()
        >= limits.maxPeersPerRoom()) {
      refuse(link, "room-full", "room '" + room + "' already has " + limits.maxPeersPerRoom()
          + " peers");
      return;
    }
    if (members == null) {
      members = new LinkedHashMap<>();
      rooms.put(room, members);
    }
    List<String> present = new ArrayList<>(members.keySet());
    present.addAll(remoteNames(room));
    List<Link> others = List.copyOf(members.values());
    members.put(name, link);
    link.room = room;
    link.name = name;
    link.session = session;
    link.goodbye = goodbye;
    link.since = since;
    deliver(link, RelayFrames.joined(room, present));
    if (previous == null && !resumed) {
      String joinedFrame = RelayFrames.presence("peer-joined", name);
      for (Link other : others) {
        deliver(other, joinedFrame);
      }
    }
    share("join", new Member(room, name, session, goodbye, since));
    LOG.debug("{} joined room {} ({} peers here)", name, room, members.size());
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
    String room = link.room;
    Map<String, Link> members = rooms.get(room);
    String to = frame.get("to");
    String msg = RelayFrames.msg(link.name, data);
    if (to == null) {
      for (Link other : List.copyOf(members.values())) {
        if (other != link) {
          deliver(other, msg);
        }
      }
      if (federation != null) {
        // Even with nobody known elsewhere yet: a peer's join may be on its way from another hub.
        federation.broadcast(FederationFrames.message(room, link.name, null, data));
      }
      return;
    }
    Link target = members.get(to);
    if (target != null && target != link) {
      deliver(target, msg);
    } else if (target == null && remoteMember(room, to) != null) {
      federation.broadcast(FederationFrames.message(room, link.name, to, data));
    } else {
      deliver(link, RelayFrames.error("unknown-target",
          "no peer named '" + to + "' in room '" + room + "'"));
    }
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
      if (federation == null) {
        return; // nobody left to tell
      }
    }
    LOG.debug("{} left room {} ({})", name, room, unclean ? "vanished" : "clean");
    if (unclean && hold(room, name, link.session, goodbye, link.since, true)) {
      return;
    }
    departLocal(room, name, link.session, unclean ? goodbye : null);
  }

  /**
   * Holds back a vanished peer's goodbye for {@link RelayLimits#goodbyeDelay()}, in case the same
   * session joins again; false when there is nothing to hold or holding is off.
   */
  private boolean hold(String room, String name, String session, Payload goodbye, long since,
      boolean local) {
    Duration delay = limits.goodbyeDelay();
    if (goodbye == null || session == null || delay.isZero() || closed) {
      return false;
    }
    List<String> key = List.of(room, name);
    Runnable[] cancel = new Runnable[1];
    HeldGoodbye held = new HeldGoodbye(room, name, session, goodbye, since, local,
        () -> cancel[0].run());
    HeldGoodbye earlier = heldGoodbyes.put(key, held);
    if (earlier != null) {
      earlier.cancel().run();
      releaseHeld(earlier);
    }
    cancel[0] = delays.schedule(() -> releaseGoodbye(key, held), delay);
    return true;
  }

  /** The held goodbye's time is up: the room learns the peer is gone. Runs on the delay thread. */
  private void releaseGoodbye(List<String> key, HeldGoodbye held) {
    synchronized (this) {
      if (!heldGoodbyes.remove(key, held)) {
        return;
      }
      releaseHeld(held);
    }
    runPendingCloses();
  }

  private void releaseHeld(HeldGoodbye held) {
    if (held.local()) {
      departLocal(held.room(), held.name(), held.session(), held.goodbye());
    } else {
      announceDeparture(held.room(), held.name(), held.goodbye());
    }
  }

  /** A peer of this hub left: its room here and on every federated hub learns it. */
  private void departLocal(String room, String name, String session, Payload goodbye) {
    announceDeparture(room, name, goodbye);
    share("leave", new Member(room, name, session, goodbye, 0));
  }

  /**
   * Tells this hub's peers in the room that {@code name} left, delivering its goodbye first when
   * there is one.
   */
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

  // ---- federation with the hubs of other server instances (see RelayFederation)

  /**
   * Shares this hub's rooms with other hubs from now on. Call once, before peers connect, or at
   * least before the other hubs' snapshots arrive.
   */
  public void federate(RelayFederation federation) {
    Objects.requireNonNull(federation, "federation");
    synchronized (this) {
      if (this.federation != null) {
        throw new IllegalStateException("this hub is already federated");
      }
      this.federation = federation;
      federation.membersChanged();
    }
  }

  /** This hub's peers (including vanished ones whose goodbye is held) for the other hubs. */
  public synchronized String membersSnapshot() {
    List<Member> members = new ArrayList<>();
    for (Map<String, Link> room : rooms.values()) {
      for (Link link : room.values()) {
        members.add(new Member(link.room, link.name, link.session, link.goodbye, link.since));
      }
    }
    for (HeldGoodbye held : heldGoodbyes.values()) {
      if (held.local()) {
        members.add(new Member(held.room(), held.name(), held.session(), held.goodbye(),
            held.since()));
      }
    }
    return FederationFrames.snapshot(epoch, version, members);
  }

  /**
   * The latest {@link #membersSnapshot()} of the hub {@code hub}, or {@code null} when that hub is
   * gone (its server stopped or died): then its peers leave every room here, goodbyes included,
   * after {@link RelayLimits#goodbyeDelay()} unless they join again with the same session.
   */
  public void onRemoteMembers(String hub, String snapshot) {
    Objects.requireNonNull(hub, "hub");
    synchronized (this) {
      if (closed) {
        return;
      }
      if (snapshot == null || snapshot.isBlank()) {
        hubGone(hub);
      } else {
        try {
          applySnapshot(hub, FederationFrames.parseSnapshot(snapshot));
        } catch (MalformedFrameException e) {
          LOG.warn("ignoring unreadable relay members from {}: {}", hub, e.getMessage());
        }
      }
    }
    runPendingCloses();
  }

  /** One event of the hub {@code hub}, in the order that hub sent them. */
  public void onRemoteEvent(String hub, String event) {
    Objects.requireNonNull(hub, "hub");
    synchronized (this) {
      if (closed) {
        return;
      }
      try {
        Event e = FederationFrames.parseEvent(event);
        switch (e.kind()) {
          case "msg" -> remoteMessage(e);
          case "join" -> {
            RemoteHub known = advance(hub, e.epoch(), e.version());
            if (known != null && validMember(e.member())) {
              adopt(hub, known, e.member());
            }
          }
          default -> { // leave
            RemoteHub known = advance(hub, e.epoch(), e.version());
            Member m = e.member();
            RemoteMember r = known == null ? null : known.members.get(key(m.room(), m.name()));
            if (r != null && Objects.equals(r.member().session(), m.session())) {
              dropRemote(r, true, m.goodbye());
            }
          }
        }
      } catch (MalformedFrameException e) {
        LOG.warn("ignoring unreadable relay event from {}: {}", hub, e.getMessage());
      }
    }
    runPendingCloses();
  }

  /** Counts a membership change of this hub and tells the other hubs. */
  private void share(String kind, Member member) {
    if (federation != null) {
      version++;
      federation.broadcast(FederationFrames.membership(kind, epoch, version, member));
      federation.membersChanged();
    }
  }

  /** This hub's members changed in a way another hub's event already told everyone (a takeover). */
  private void changedWithoutEvent() {
    version++;
    federation.membersChanged();
  }

  /**
   * The state of {@code hub} moved to {@code version} of its lifetime {@code epoch}; null when
   * that is not newer than what this hub applied (the change is already reflected).
   */
  private RemoteHub advance(String hub, String epoch, long version) {
    RemoteHub known = remoteHubs.get(hub);
    if (known != null && !known.epoch.equals(epoch)) {
      hubGone(hub); // restarted under the same id: its earlier peers are gone
      known = null;
    }
    if (known == null) {
      known = new RemoteHub(epoch, -1);
      remoteHubs.put(hub, known);
    }
    if (version <= known.version) {
      return null;
    }
    known.version = version;
    return known;
  }

  private void applySnapshot(String hub, Snapshot snapshot) {
    RemoteHub known = advance(hub, snapshot.epoch(), snapshot.version());
    if (known == null) {
      return;
    }
    Set<List<String>> listed = new HashSet<>();
    for (Member m : snapshot.members()) {
      listed.add(key(m.room(), m.name()));
    }
    for (RemoteMember r : List.copyOf(known.members.values())) {
      if (!listed.contains(key(r.member().room(), r.member().name()))) {
        dropRemote(r, true, null);
      }
    }
    for (Member m : snapshot.members()) {
      if (validMember(m)) {
        adopt(hub, known, m);
      }
    }
  }

  /**
   * Another hub has peer {@code m}. Same name and session as a peer known here: the client moved
   * to that hub, and the room notices nothing. Same name, other session: both hubs admitted it
   * before hearing of the other; the earlier join keeps it (ties go to the smaller epoch), which
   * every hub decides alike.
   */
  private void adopt(String hub, RemoteHub known, Member m) {
    List<String> key = key(m.room(), m.name());
    boolean quiet = false;
    Map<String, Link> members = rooms.get(m.room());
    Link local = members == null ? null : members.get(m.name());
    if (local != null) {
      if (sameSession(local.session, m.session())) {
        members.remove(m.name());
        if (members.isEmpty()) {
          rooms.remove(m.room());
        }
        local.room = null;
        evict(local, REPLACED, "replaced by a newer connection of the same session on another server");
        changedWithoutEvent();
        quiet = true;
      } else if (firstJoin(local.since, epoch, m.since(), known.epoch)) {
        return;
      } else {
        deliver(local, RelayFrames.error("name-taken", "name '" + m.name()
            + "' was taken on another server of this relay at the same moment; choose another name"));
        leaveRoom(local, false);
        evict(local, POLICY_VIOLATION, "name taken on another server");
      }
    }
    HeldGoodbye held = heldGoodbyes.get(key);
    if (held != null) {
      heldGoodbyes.remove(key);
      held.cancel().run();
      if (sameSession(held.session(), m.session())) {
        quiet = true;
        if (held.local()) {
          changedWithoutEvent();
        }
      } else {
        releaseHeld(held);
      }
    }
    RemoteMember existing = remoteMember(m.room(), m.name());
    if (existing != null) {
      if (sameSession(existing.member().session(), m.session())) {
        quiet = true;
        dropRemote(existing, false, null);
      } else if (existing.hub().equals(hub)) {
        dropRemote(existing, true, null);
      } else if (firstJoin(existing.member().since(), existing.epoch(), m.since(), known.epoch)) {
        return;
      } else {
        dropRemote(existing, true, null);
      }
    }
    RemoteMember member = new RemoteMember(hub, known.epoch, m);
    known.members.put(key, member);
    remoteRooms.computeIfAbsent(m.room(), r -> new HashMap<>()).put(m.name(), member);
    if (!quiet && members != null) {
      String joinedFrame = RelayFrames.presence("peer-joined", m.name());
      for (Link other : List.copyOf(members.values())) {
        deliver(other, joinedFrame);
      }
    }
  }

  /** Forgets a peer of another hub; with {@code announce}, this hub's peers in its room learn it left. */
  private void dropRemote(RemoteMember r, boolean announce, Payload goodbye) {
    Member m = r.member();
    RemoteHub owner = remoteHubs.get(r.hub());
    if (owner != null) {
      owner.members.remove(key(m.room(), m.name()), r);
    }
    Map<String, RemoteMember> room = remoteRooms.get(m.room());
    if (room == null || !room.remove(m.name(), r)) {
      return;
    }
    if (room.isEmpty()) {
      remoteRooms.remove(m.room());
    }
    if (announce) {
      announceDeparture(m.room(), m.name(), goodbye);
    }
  }

  /** Every peer of a hub that stopped or died leaves, goodbye held back as if it had vanished here. */
  private void hubGone(String hub) {
    RemoteHub gone = remoteHubs.remove(hub);
    if (gone == null) {
      return;
    }
    LOG.info("relay {} is gone; its {} peers leave", hub, gone.members.size());
    for (RemoteMember r : gone.members.values()) {
      Member m = r.member();
      dropRemote(r, false, null);
      if (!hold(m.room(), m.name(), m.session(), m.goodbye(), m.since(), false)) {
        announceDeparture(m.room(), m.name(), m.goodbye());
      }
    }
  }

  private void remoteMessage(Event e) {
    Map<String, Link> members = rooms.get(e.room());
    if (members == null) {
      return;
    }
    String msg = RelayFrames.msg(e.from(), e.data());
    if (e.to() == null) {
      for (Link link : List.copyOf(members.values())) {
        deliver(link, msg);
      }
    } else {
      Link target = members.get(e.to());
      if (target != null) {
        deliver(target, msg);
      }
    }
  }

  private RemoteMember remoteMember(String room, String name) {
    Map<String, RemoteMember> members = remoteRooms.get(room);
    return members == null ? null : members.get(name);
  }

  /** Names of the room's peers on other hubs, by join time. */
  private List<String> remoteNames(String room) {
    Map<String, RemoteMember> members = remoteRooms.get(room);
    if (members == null) {
      return List.of();
    }
    return members.values().stream()
        .sorted(Comparator.comparingLong((RemoteMember r) -> r.member().since())
            .thenComparing(r -> r.member().name()))
        .map(r -> r.member().name())
        .toList();
  }

  private boolean validMember(Member m) {
    return checkName("room", m.room()) == null && checkName("name", m.name()) == null;
  }

  private static boolean firstJoin(long since, String epoch, long otherSince, String otherEpoch) {
    return since < otherSince || (since == otherSince && epoch.compareTo(otherEpoch) < 0);
  }

  private static boolean sameSession(String session, String other) {
    return session != null && session.equals(other);
  }

  private static List<String> key(String room, String name) {
    return List.of(room, name);
  }

  private static String randomEpoch() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
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
