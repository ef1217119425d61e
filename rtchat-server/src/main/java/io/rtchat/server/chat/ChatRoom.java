package io.rtchat.server.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtchat.server.auth.ChatClaims;
import io.rtchat.server.auth.InvalidTokenException;
import io.rtchat.server.auth.JwtService;
import io.rtchat.server.config.Settings;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat: every subscriber, channel, mute/block/boot set and the BareRTC protocol logic (spec §2
 * to §7). Transport-free: WebSockets and polling sessions feed it frames and receive JSON through
 * {@link Outbound}. All state is guarded by this object's monitor; sends never block (bounded
 * queues), so holding the lock while fanning out is safe.
 */
public final class ChatRoom {
  private static final Logger log = LoggerFactory.getLogger(ChatRoom.class);

  /** Wire JSON: one object per frame, keys matched case-insensitively, unknown keys ignored. */
  public static final ObjectMapper JSON = JsonMapper.builder()
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  static final String CHAT_SERVER = "ChatServer";
  static final String JOINED = "has joined the room!";
  static final String EXITED = "has exited the room!";
  static final Duration TOKEN_TTL = Duration.ofMinutes(5);
  private static final int RECENT_IDS = 10_000;
  static final long WHO_DEBOUNCE_MS = 20;
  static final long WHO_MAX_DELAY_MS = 1000;
  /** Who-list bytes per millisecond of coalescing delay: a login storm sends at most ~10 MB/s of lists. */
  static final long WHO_BYTES_PER_MS = 10_000;
  /**
   * Longest wait before this instance's user changes (an op grant, a new name) reach the other
   * instances in its presence: on its own timer, since who lists of large rooms wait up to a second.
   */
  static final long PRESENCE_MAX_DELAY_MS = 200;
  /** Presence bytes per millisecond of coalescing delay: a login storm publishes at most ~1 MB/s of presence. */
  static final long PRESENCE_BYTES_PER_MS = 1_000;
  /** One user report per 5 s, so nobody can flood the website's report webhook. */
  private static final long REPORT_INTERVAL_NANOS = 5_000_000_000L;
  /** Status words are opaque to the server but end up in the page's markup: keep them plain. */
  private static final Pattern STATUS = Pattern.compile("[A-Za-z0-9_\\-]{1,32}");
  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  /** Hooks into the server that owns the room. */
  public interface Host {
    /** An op ran /shutdown or the admin API asked for it: stop the server soon. */
    void shutdown();

    /** Reload settings.toml; throws with a user-readable message. */
    Settings reload() throws Exception;

    /** Runs {@code task} once after {@code delayMillis} on a timer thread. */
    void schedule(Runnable task, long delayMillis);
  }

  private volatile Settings settings;
  private volatile JwtService jwt;
  private final ChatMetrics metrics;
  private final Clock clock;
  private final Host host;
  private final Webhooks webhooks = new Webhooks(JSON);
  private final SecureRandom random = new SecureRandom();

  private final Map<Long, Sub> subs = new LinkedHashMap<>();
  private final Map<String, ArrayDeque<Message>> echo = new HashMap<>();
  private final Map<String, Instant> bans = new HashMap<>();
  private final Set<String> jwtNames = new HashSet<>();
  private final Map<String, List<String>> cachedBlocklists = new HashMap<>();
  private final Set<String> grants = new HashSet<>();
  private final ArrayDeque<Removal> pendingRemovals = new ArrayDeque<>();
  /**
   * Calls into an {@link Outbound} in progress on the locking thread. A transport may report its
   * close from inside such a call (Jetty does when a write fails at once), re-entering
   * {@link #disconnected}; the removal then waits for the running operation's {@link #drain}, so
   * that no loop over the subscribers sees the map change under it.
   */
  private int outboundCalls;
  private final LinkedHashMap<Long, MsgRecord> recent = new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, MsgRecord> eldest) {
      return size() > RECENT_IDS;
    }
  };
  private boolean whoPending;
  /** Characters of who lists sent by the last flush. */
  private long lastWhoBytes;
  /** Who rows serialized by the last flush, reused while unchanged. */
  private Map<WhoEntry, String> whoRows = new HashMap<>();
  private long nextSubId = 1;
  private long nextMsgId;
  private long lastPingNanos;

  /** Scale-out (null = single instance: none of the fields below is used). */
  private Backplane backplane;
  /** Users of other instances from their retained presence: instance → lower-case name → user. */
  private final Map<String, Map<String, Sub>> remote = new HashMap<>();
  /** When each remote instance's presence was last received (System.nanoTime). */
  private final Map<String, Long> remoteSeen = new HashMap<>();
  /** Instances whose bans and website names were taken in (from their first presence). */
  private final Set<String> bootstrapped = new HashSet<>();
  private long nextRemoteId = -1;
  private String lastPresence;
  private boolean presencePending;
  /** msgIDs advance by this with a backplane; the low bits are the instance's slot. */
  static final long MSG_ID_STRIDE = 1024;

  /** A subscriber to take out of the room once the running operation is done, and its presence notice. */
  private record Removal(Sub sub, String presenceText) {}

  /** Who wrote a message and where it went, for takeback and react routing. */
  private record MsgRecord(long ownerSubId, String owner, String channel, String dmPeer) {}

  public ChatRoom(Settings settings, JwtService jwt, ChatMetrics metrics, Clock clock, Host host) {
    this.settings = settings;
    this.jwt = jwt;
    this.metrics = metrics;
    this.clock = clock;
    this.host = host;
    this.nextMsgId = clock.millis();
    this.lastPingNanos = System.nanoTime();
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Joins this room to the other instances sharing {@code b}. Call once, before clients connect.
   * msgIDs become {@code millis * 1024 + slot} so that instances do not hand out the same ids.
   */
  public synchronized void attach(Backplane b) {
    if (backplane != null) {
      throw new IllegalStateException("a backplane is already attached");
    }
    backplane = b;
    long slot = Math.floorMod(b.instanceId().hashCode(), (int) MSG_ID_STRIDE);
    nextMsgId = clock.millis() * MSG_ID_STRIDE + slot;
  }

  private long nextMessageId() {
    if (backplane == null) {
      return ++nextMsgId;
    }
    nextMsgId += MSG_ID_STRIDE;
    return nextMsgId;
  }

  public JwtService jwt() {
    return jwt;
  }

  // ---------------------------------------------------------------- connection lifecycle

  /** A new connection; nothing is sent until it logs in, except pings. */
  public synchronized Sub connect(Outbound out, String ip) {
    Sub s = new Sub(nextSubId++, out, ip, System.nanoTime(), settings.limits.messageBurst);
    subs.put(s.id, s);
    metrics.connections.incrementAndGet();
    log.debug("{} connected from {}", s, ip);
    return s;
  }

  /** The connection is gone (closed, failed or timed out). Idempotent. */
  public synchronized void disconnected(Sub s) {
    leave(s, EXITED);
  }

  /** A polling session expired (spec §8.4): "has timed out!", or an overflow: "has exited the room!". */
  public synchronized void timedOut(Sub s, boolean timeout) {
    leave(s, timeout ? "has timed out!" : EXITED);
  }

  private void leave(Sub s, String presenceText) {
    s.closed = true;
    pendingRemovals.add(new Removal(s, presenceText));
    if (outboundCalls == 0) {
      drain();
    }
  }

  /** One text frame from a WebSocket. Never throws: bad input gets an error reply. */
  public synchronized void onText(Sub s, String text) {
    if (s.closed) {
      return;
    }
    metrics.messagesIn.increment();
    // Reserve one token up front (parsing costs too); pre-login list edits get most of it back.
    if (!rateAllows(s)) {
      drain();
      return;
    }
    Message m;
    try {
      m = JSON.readValue(text, Message.class);
    } catch (JsonProcessingException | RuntimeException e) {
      badFrame(s, describe(e));
      drain();
      return;
    }
    refundCheapEdit(s, m);
    handle(s, m);
  }

  /**
   * The UI sends one mute/boot per remembered name right after connecting, before login; these
   * cost a twentieth of a token so that long lists are not lost to the rate limit.
   */
  private void refundCheapEdit(Sub s, Message m) {
    if (s.authenticated || m == null || m.action == null) {
      return;
    }
    switch (m.action) {
      case "mute", "unmute", "boot", "unboot", "block", "blocklist", "video-invite" ->
          s.tokens = Math.min(settings.limits.messageBurst, s.tokens + 0.95);
      default -> { }
    }
  }

  /** One already-parsed message (the /poll transport). */
  public synchronized void onMessage(Sub s, Message m) {
    if (s.closed) {
      return;
    }
    metrics.messagesIn.increment();
    if (!rateAllows(s)) {
      drain();
      return;
    }
    refundCheapEdit(s, m);
    handle(s, m);
  }

  /** A binary frame: not part of the protocol. */
  public synchronized void onBinary(Sub s) {
    if (s.closed) {
      return;
    }
    metrics.messagesIn.increment();
    if (rateAllows(s)) {
      badFrame(s, "Binary frames are not supported; send one JSON object per text frame.");
    }
    drain();
  }

  private void handle(Sub s, Message m) {
    try {
      if (m == null || m.action == null || m.action.isBlank()) {
        badFrame(s, "Invalid message: the \"action\" field is required.");
      } else {
        dispatch(s, m);
      }
    } catch (RuntimeException e) {
      log.warn("handler failure for {} action {}", s, m == null ? null : m.action, e);
      error(s, "Internal error while handling your message; the chat server is still running.");
    }
    drain();
  }

  /** Periodic work: pings with refreshed tokens, login and send timeouts. */
  public synchronized void tick() {
    long now = System.nanoTime();
    Settings st = settings;
    boolean ping = now - lastPingNanos >= Duration.ofSeconds(st.limits.pingIntervalSeconds).toNanos();
    if (ping) {
      lastPingNanos = now;
    }
    long loginTimeout = Duration.ofSeconds(st.limits.loginTimeoutSeconds).toNanos();
    long sendTimeout = Duration.ofSeconds(st.webSocketSendTimeout).toNanos();
    for (Sub s : List.copyOf(subs.values())) {
      if (s.closed) {
        continue;
      }
      long started = s.out.writeStartedNanos();
      if (started != 0 && now - started > sendTimeout) {
        log.info("{} write timed out; dropping it", s);
        s.closed = true;
        closeOutbound(s, 1011, "write timed out");
        continue;
      }
      if (!s.authenticated && !s.wasEverAuthenticated && !s.out.polling() && now - s.connectedNanos > loginTimeout) {
        s.closed = true;
        closeOutbound(s, 1008, "login timeout");
        continue;
      }
      if (ping) {
        Message p = Message.of("ping");
        JwtService j = jwt;
        if (s.claims != null && j != null) {
          p.jwt = j.sign(s.claims, TOKEN_TTL);
        }
        send(s, p);
        outboundCalls++;
        try {
          s.out.keepAlive();
        } finally {
          outboundCalls--;
        }
      }
    }
    drain();
  }

  /** Closes every connection (server shutdown): WebSockets get 1001. */
  public synchronized void closeAll() {
    for (Sub s : List.copyOf(subs.values())) {
      closeOutbound(s, 1001, "server shutting down");
      subs.remove(s.id);
    }
    pendingRemovals.clear(); // all gone already, without presence notices
    metrics.connections.set(0);
    metrics.users.set(0);
  }

  // ---------------------------------------------------------------- dispatch

  /** Actions refused (with the spec's error) before a successful login. */
  private static final Set<String> NEEDS_LOGIN = Set.of("message", "file", "me", "open", "candidate",
      "sdp", "watch", "unwatch", "takeback", "react", "report");

  private void dispatch(Sub s, Message m) {
    String action = m.action;
    if (NEEDS_LOGIN.contains(action) && !requireLogin(s)) {
      return;
    }
    switch (action) {
      case "login" -> login(s, m);
      case "message" -> chat(s, m);
      case "file" -> file(s, m);
      case "me" -> me(s, m);
      case "open" -> open(s, m);
      case "candidate", "sdp" -> relaySignal(s, m);
      case "watch", "unwatch" -> relayWatch(s, m);
      case "boot", "unboot" -> editSet(s, m, s.booted, action.equals("boot"), "booted you off of their camera!");
      case "mute", "unmute" -> editSet(s, m, s.muted, action.equals("mute"), null);
      case "block" -> block(s, m);
      case "blocklist" -> blocklist(s, m);
      case "video-invite" -> invite(s, m);
      case "takeback" -> takeback(s, m);
      case "react" -> react(s, m);
      case "report" -> report(s, m);
      case "ping" -> { }
      default -> error(s, "Unsupported message type: " + Html.escape(truncate(action, 64)));
    }
  }

  private boolean requireLogin(Sub s) {
    if (!s.authenticated) {
      error(s, "You must log in first.");
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- login (spec §3)

  private void login(Sub s, Message m) {
    Settings st = settings;
    if (s.authenticated) {
      error(s, "You are already logged in.");
      return;
    }
    ChatClaims claims = null;
    JwtService j = jwt;
    String token = m.jwt == null ? "" : m.jwt;
    if (j != null && st.jwt.enabled) {
      if (!token.isBlank()) {
        try {
          claims = j.verify(token);
        } catch (InvalidTokenException e) {
          error(s, "Your authentication has expired. Please go back and launch the chat room again. ("
              + Html.escape(e.getMessage()) + ")");
          return;
        }
      } else if (st.jwt.strict) {
        error(s, "Server side authentication is required. Please go back and launch the chat room from your logged-in account.");
        return;
      }
    }
    String name;
    if (claims != null) {
      name = claims.subject();
      if (m.username != null && !m.username.equals(name)) {
        log.debug("login name {} differs from token sub {}", m.username, name);
      }
    } else {
      name = m.username == null ? "" : m.username.trim();
      if (name.startsWith("@")) {
        name = name.substring(1);
      }
      if (name.isEmpty()) {
        name = "anonymous";
      }
    }
    String problem = Usernames.problem(name);
    if (problem != null) {
      error(s, "That username is not allowed: " + Html.escape(problem) + ".");
      return;
    }
    if (banned(name)) {
      sendBanned(s);
      return;
    }
    if (claims != null) {
      List<Sub> everyone = new ArrayList<>(subs.values());
      everyone.addAll(remoteUsers()); // a website login signs the same user out on every instance
      for (Sub other : everyone) {
        if (other != s && other.authenticated && other.name.equalsIgnoreCase(name)) {
          error(other, "You have been signed out of chat because you logged in from another location.");
          send(other, Message.of("disconnect"));
          unauthenticate(other);
        }
      }
      if (jwtNames.add(lower(name)) && backplane != null) {
        ObjectNode e = event("jwtname");
        e.put("name", name);
        backplane.broadcast(toJson(e));
      }
    } else {
      String base = name;
      int n = 2;
      while (nameTaken(name, s)) {
        name = base + " " + n++;
        if (Usernames.problem(name) != null) {
          error(s, "That username is not available.");
          return;
        }
      }
      if (banned(name)) {
        sendBanned(s);
        return;
      }
    }
    s.name = name;
    s.claims = claims;
    s.authenticated = true;
    s.wasEverAuthenticated = true;
    s.dnd = Boolean.TRUE.equals(m.dnd);
    s.loginAt = clock.instant().getEpochSecond();
    s.status = "online";
    metrics.logins.increment();
    metrics.users.set(countUsers());
    log.info("{} logged in from {}{}", s, s.ip, claims != null ? " (JWT)" : "");

    Message me = Message.of("me", s.name);
    me.video = s.video;
    send(s, me);
    WhoFrames frames = whoFrames(whoListed());
    sendRaw(s, frames.frameFor(s));
    whoRows.putAll(frames.rows());
    sendWhoAll();
    Message e = Message.of("echo");
    e.messages = echoFor(s);
    send(s, e);
    presence(s, JOINED);
    for (Settings.Channel c : st.publicChannels) {
      for (String w : c.welcomeMessages) {
        Message wm = Message.of("error", CHAT_SERVER);
        wm.channel = c.id;
        wm.message = Markdown.render(w);
        send(s, wm);
      }
    }
  }

  private void sendBanned(Sub s) {
    error(s, "You are currently banned from entering the chat room. Chat room bans are temporarily and usually last for 24 hours. Please try coming back later.");
    send(s, Message.of("disconnect"));
  }

  private boolean nameTaken(String name, Sub self) {
    for (Sub o : subs.values()) {
      if (o != self && o.authenticated && o.name.equalsIgnoreCase(name)) {
        return true;
      }
    }
    if (backplane != null) {
      for (Sub o : remoteUsers()) {
        if (o.name.equalsIgnoreCase(name)) {
          return true;
        }
      }
    }
    // A guest may not take the name of a website user seen on this server (spec §8.5.8).
    return jwtNames.contains(lower(name));
  }

  private boolean banned(String name) {
    Instant until = bans.get(lower(name));
    if (until == null) {
      return false;
    }
    if (clock.instant().isAfter(until)) {
      bans.remove(lower(name));
      return false;
    }
    return true;
  }

  private List<Message> echoFor(Sub s) {
    List<Message> out = new ArrayList<>();
    for (Settings.Channel c : settings.publicChannels) {
      if (c.vip && !s.isVip() && !s.isOp()) {
        continue;
      }
      ArrayDeque<Message> buf = echo.get(c.id);
      if (buf == null) {
        continue;
      }
      for (Message m : buf) {
        if (s.muted.contains(m.username) || s.blocked.contains(m.username)) {
          continue;
        }
        Sub author = byName(m.username);
        if (author != null && blockedBetween(s, author)) {
          continue;
        }
        out.add(m);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- chat messages (spec §2, §4)

  private void chat(Sub s, Message m) {
    Settings st = settings;
    String channel = m.channel == null ? "" : m.channel;
    String text = m.message == null ? "" : m.message;
    if (text.length() > st.limits.maxMessageLength) {
      error(s, "Your message is too long (at most " + st.limits.maxMessageLength + " characters).");
      return;
    }
    if (s.isOp() && text.startsWith("/") && command(s, text)) {
      return;
    }
    if (channel.isEmpty()) {
      error(s, "Invalid message: the \"channel\" field is required.");
      return;
    }
    boolean dm = channel.startsWith("@");
    if (!dm && !checkChannel(s, channel)) {
      return;
    }
    String html = Markdown.renderMessage(text);
    if (html.isEmpty()) {
      return;
    }
    boolean forward = true;
    Sub rcpt = dm ? byName(channel.substring(1)) : null;
    boolean exempt = dm && (s.isOp() || (rcpt != null && rcpt.isOp()));
    if (!exempt) {
      for (Settings.MessageFilter f : st.messageFilters) {
        if (!f.enabled || (dm ? !f.privateChannels : !f.publicChannels)) {
          continue;
        }
        boolean matched = false;
        for (String re : f.keywordPhrases) {
          Matcher mm = Pattern.compile(re, Pattern.CASE_INSENSITIVE).matcher(html);
          if (mm.find()) {
            matched = true;
            if (f.censorMessage) {
              html = mm.replaceAll(r -> "*".repeat(r.group().length()));
            }
          }
        }
        if (matched) {
          forward = f.forwardMessage;
          if (!f.chatServerResponse.isBlank()) {
            error(s, Markdown.render(f.chatServerResponse));
          }
          if (f.reportMessage) {
            fileReport(s, "Server Side Message Filter", channel, s.name, html, "", null);
          }
          break;
        }
      }
    }
    long id = nextMessageId();
    Message out = Message.of("message", s.name);
    out.channel = channel;
    out.message = html;
    out.msgID = id;
    if (dm) {
      directMessage(s, channel.substring(1), out, forward);
      return;
    }
    recent.put(id, new MsgRecord(s.id, s.name, channel, null));
    if (!forward) {
      send(s, out);
      return;
    }
    broadcastChannel(s, channel, out);
    storeEcho(channel, out);
  }

  private void storeEcho(String channel, Message out) {
    Settings.Channel c = settings.channel(channel);
    if (c != null && c.echoMessagesOnJoin > 0) {
      Message stored = out.copy();
      stored.timestamp = OffsetDateTime.ofInstant(clock.instant(), ZoneId.systemDefault()).format(RFC3339);
      ArrayDeque<Message> buf = echo.computeIfAbsent(channel, k -> new ArrayDeque<>());
      buf.addLast(stored);
      while (buf.size() > c.echoMessagesOnJoin) {
        buf.removeFirst();
      }
    }
  }

  /** Known channel, and VIP channels only for VIPs and ops (fix for spec §8.5.7). */
  private boolean checkChannel(Sub s, String channel) {
    Settings.Channel c = settings.channel(channel);
    if (c == null) {
      error(s, "There is no channel called " + Html.escape(truncate(channel, 64)) + ".");
      return false;
    }
    if (c.vip && !s.isVip() && !s.isOp()) {
      error(s, "Only VIP members may post in that channel.");
      return false;
    }
    return true;
  }

  private void broadcastChannel(Sub from, String channel, Message m) {
    String json = toJson(m);
    fanOutChannel(from, from.name, channel, json);
    if (backplane != null) {
      // One topic from one connection: MQTT keeps this sender's order in every channel.
      ObjectNode e = event("chat");
      e.put("from", from.name);
      e.put("channel", channel);
      e.put("msgID", m.msgID);
      e.put("frame", json);
      backplane.broadcast(toJson(e));
    }
  }

  /** A channel message to this instance's users; {@code from} is null when its sender is not known here yet. */
  private void fanOutChannel(Sub from, String fromName, String channel, String json) {
    Settings.Channel c = settings.channel(channel);
    boolean vipOnly = c != null && c.vip;
    for (Sub r : subs.values()) {
      if (!r.authenticated || r.closed) {
        continue;
      }
      if (r != from && (r.muted.contains(fromName)
          || (from != null ? blockedBetween(from, r) : r.blocked.contains(fromName) && !blockExempt(r)))) {
        continue;
      }
      if (vipOnly && !r.isVip() && !r.isOp()) {
        continue;
      }
      sendRaw(r, json);
    }
  }

  private void directMessage(Sub s, String to, Message out, boolean forward) {
    Sub rcpt = byName(to);
    if (!s.isOp() && s.muted.contains(to)) {
      error(s, "You have muted " + Html.escape(to) + " and so your message has not been sent.");
      return;
    }
    Message mine = out.copy();
    mine.channel = "@" + to;
    send(s, mine);
    if (rcpt == null) {
      error(s, "Could not deliver your message: @" + Html.escape(to) + " appears not to be online.");
      return;
    }
    recent.put(out.msgID, new MsgRecord(s.id, s.name, null, rcpt.name));
    if (rcpt == s || !forward) {
      return;
    }
    if (rcpt.muted.contains(s.name) && !s.isOp()) {
      return;
    }
    if (blockedBetween(s, rcpt)) {
      return;
    }
    if (rcpt.remote()) {
      // Its instance needs the record too, to route reacts from the recipient (same topic: before the message).
      ObjectNode e = event("dm");
      e.put("msgID", out.msgID);
      e.put("from", s.name);
      e.put("to", rcpt.name);
      backplane.send(rcpt.instance, toJson(e));
    }
    Message theirs = out.copy();
    theirs.channel = "@" + s.name;
    send(rcpt, theirs);
  }

  private void file(Sub s, Message m) {
    Settings st = settings;
    String channel = m.channel == null ? "" : m.channel;
    if (channel.isEmpty()) {
      error(s, "Invalid message: the \"channel\" field is required.");
      return;
    }
    if (hasRule(s, "noimage")) {
      error(s, Html.escape(st.strings.modRuleErrorNoImage));
      return;
    }
    boolean dm = channel.startsWith("@");
    if (!dm) {
      if (!checkChannel(s, channel)) {
        return;
      }
      if (!st.channel(channel).permitPhotos) {
        error(s, "Photo sharing is not enabled in that channel.");
        return;
      }
    } else if (byName(channel.substring(1)) == null) {
      // BareRTC crashed here (spec §8.5.1); we answer like for text.
      error(s, "Could not deliver your message: @" + Html.escape(channel.substring(1)) + " appears not to be online.");
      return;
    }
    String html;
    try {
      html = Images.toHtml(m.bytes, m.message, st.maxImageWidth, st.previewImageWidth,
          st.limits.maxImagePixels, st.limits.maxImageBytes);
    } catch (Images.ImageException e) {
      error(s, Html.escape(e.getMessage()));
      return;
    }
    long id = nextMessageId();
    Message out = Message.of("message", s.name);
    out.channel = channel;
    out.message = html;
    out.msgID = id;
    if (dm) {
      directMessage(s, channel.substring(1), out, true);
    } else {
      recent.put(id, new MsgRecord(s.id, s.name, channel, null));
      broadcastChannel(s, channel, out);
    }
  }

  // ---------------------------------------------------------------- me / who / presence

  private void me(Sub s, Message m) {
    Settings st = settings;
    int video = m.video == null ? 0 : m.video;
    if (video < 0 || video > 255) {
      error(s, "Invalid message: \"video\" must be between 0 and 255.");
      return;
    }
    video &= ~Sub.INVITED;
    String status = m.status == null || !STATUS.matcher(m.status).matches() ? "online" : m.status;
    boolean wasHidden = s.hidden();
    s.dnd = Boolean.TRUE.equals(m.dnd);
    if ((video & Sub.ACTIVE) != 0 && (hasRule(s, "nobroadcast") || hasRule(s, "novideo"))) {
      send(s, Message.of("cut"));
      error(s, Html.escape(st.strings.modRuleErrorNoBroadcast));
      video = 0;
    } else if ((video & Sub.ACTIVE) != 0 && hasRule(s, "redcam") && (video & Sub.NSFW) == 0) {
      video |= Sub.NSFW;
      error(s, Html.escape(st.strings.modRuleErrorCameraAlwaysNsfw));
      Message me = Message.of("me", s.name);
      me.video = video;
      send(s, me);
    }
    s.video = video;
    if (status.equals("hidden") && !s.isOp()) {
      status = "away";
    }
    s.status = status;
    if (!wasHidden && s.hidden()) {
      presenceRaw(s, EXITED);
    } else if (wasHidden && !s.hidden()) {
      presenceRaw(s, JOINED);
    }
    metrics.users.set(countUsers());
    sendWhoAll();
  }

  /**
   * Schedules one {@code who} to everybody (spec §4.3). Changes are coalesced for at least
   * {@link #WHO_DEBOUNCE_MS}, and for longer in large rooms: every flush sends n lists of n
   * entries, so the delay grows with the bytes of the last flush ({@link #WHO_BYTES_PER_MS}) up to
   * {@link #WHO_MAX_DELAY_MS}: a login storm in a large room sends about one round of lists per
   * second rather than one per few logins.
   */
  private void sendWhoAll() {
    schedulePresence();
    if (whoPending) {
      return;
    }
    whoPending = true;
    try {
      long delay = Math.max(WHO_DEBOUNCE_MS, lastWhoBytes / WHO_BYTES_PER_MS);
      host.schedule(this::flushWho, Math.min(WHO_MAX_DELAY_MS, delay));
    } catch (RuntimeException e) {
      whoPending = false; // shutting down
    }
  }

  /** Sends the pending who lists now. */
  public synchronized void flushWho() {
    if (!whoPending) {
      return;
    }
    whoPending = false;
    List<Sub> listed = whoListed();
    WhoFrames frames = whoFrames(listed);
    long bytes = 0;
    for (Sub v : listed) {
      if (!v.remote()) { // a user of another instance gets its list from there
        String frame = frames.frameFor(v);
        sendRaw(v, frame);
        bytes += frame.length();
      }
    }
    whoRows = frames.rows();
    lastWhoBytes = bytes;
    drain();
  }

  /** Schedules this instance's presence for the backplane, coalesced like who lists but for at most {@link #PRESENCE_MAX_DELAY_MS}. */
  private void schedulePresence() {
    if (backplane == null || presencePending) {
      return;
    }
    presencePending = true;
    try {
      long bytes = lastPresence == null ? 0 : lastPresence.length();
      long delay = Math.max(WHO_DEBOUNCE_MS, bytes / PRESENCE_BYTES_PER_MS);
      host.schedule(this::flushPresence, Math.min(PRESENCE_MAX_DELAY_MS, delay));
    } catch (RuntimeException e) {
      presencePending = false; // shutting down
    }
  }

  private synchronized void flushPresence() {
    if (presencePending) {
      presencePending = false;
      publishPresence(false);
    }
  }

  private WhoFrames whoFrames(List<Sub> listed) {
    return new WhoFrames(listed, settings.vip.mutuallySecret, this::blockedBetween, whoRows);
  }

  private List<Sub> whoListed() {
    List<Sub> listed = new ArrayList<>();
    for (Sub u : subs.values()) {
      if (u.authenticated && !u.closed) {
        listed.add(u);
      }
    }
    if (backplane != null) {
      listed.addAll(remoteUsers());
    }
    listed.sort(Comparator.comparing((Sub u) -> u.name));
    return listed;
  }

  /** Presence of an authenticated, visible user to everyone who did not mute or block them. */
  private void presence(Sub subject, String text) {
    if (subject.hidden()) {
      return;
    }
    presenceRaw(subject, text);
  }

  private void presenceRaw(Sub subject, String text) {
    Message p = Message.of("presence", subject.name);
    p.message = text;
    String json = toJson(p);
    fanOutPresence(subject, json);
    publishPresenceNotice(subject.name, text, false);
  }

  private void publishPresenceNotice(String name, String text, boolean about) {
    if (backplane != null) {
      ObjectNode e = event("presence");
      e.put("name", name);
      e.put("text", text);
      e.put("about", about);
      backplane.broadcast(toJson(e));
    }
  }

  private void fanOutPresence(Sub subject, String json) {
    for (Sub r : subs.values()) {
      if (!r.authenticated || r.closed) {
        continue;
      }
      if (r != subject && (r.muted.contains(subject.name) || blockedBetween(subject, r))) {
        continue;
      }
      sendRaw(r, json);
    }
  }

  // ---------------------------------------------------------------- webcams (spec §4.5)

  private void open(Sub s, Message m) {
    Settings st = settings;
    String target = m.username == null ? "" : m.username;
    if (hasRule(s, "novideo")) {
      error(s, Html.escape(st.strings.modRuleErrorNoVideo));
      return;
    }
    Sub b = byName(target);
    String prefix = "Could not open that video: ";
    if (b == null || b == s) {
      error(s, prefix + Html.escape(target) + " appears to be offline.");
      return;
    }
    if ((b.video & Sub.ACTIVE) == 0) {
      error(s, prefix + "Their video is not currently enabled.");
      return;
    }
    boolean invited = b.invited.contains(s.name);
    if ((b.video & Sub.MUTUAL_REQUIRED) != 0 && (s.video & Sub.ACTIVE) == 0 && !invited) {
      error(s, prefix + Html.escape(b.name) + " has requested that you should share your own camera too before opening theirs.");
      return;
    }
    boolean denied = ((b.video & Sub.ONLY_VIP) != 0 && !s.isVip() && !s.isOp() && !invited)
        || (!s.isOp() && (b.muted.contains(s.name) || b.booted.contains(s.name) || blockedBetween(b, s)));
    if (denied) {
      error(s, prefix + "You do not have permission to view that camera.");
      return;
    }
    if (s.isOp() && (b.booted.contains(s.name) || b.muted.contains(s.name))) {
      error(s, "Note: " + Html.escape(b.name) + " had booted you off their camera before, and won't be notified of your watch.");
    }
    String secret = secret();
    grants.add(pair(s.name, b.name));
    if (b.remote()) {
      // The broadcaster's instance relays its answer only with the grant too (same topic as the ring: before it).
      ObjectNode e = event("grant");
      e.put("a", s.name);
      e.put("b", b.name);
      backplane.send(b.instance, toJson(e));
    }
    Message ring = Message.of("ring", s.name);
    ring.openSecret = secret;
    send(b, ring);
    Message open = Message.of("open", b.name);
    open.openSecret = secret;
    send(s, open);
  }

  /** sdp/candidate: relayed unchanged to a peer this sub was granted an {@code open} with (fix §8.5.7). */
  private void relaySignal(Sub s, Message m) {
    Sub t = byName(m.username);
    if (t == null || t == s || !grants.contains(pair(s.name, t.name)) || blockedBetween(s, t)) {
      metrics.dropped();
      return;
    }
    Message out = Message.of(m.action, s.name);
    out.candidate = m.candidate;
    out.description = m.description;
    send(t, out);
  }

  private void relayWatch(Sub s, Message m) {
    Sub t = byName(m.username);
    if (t == null || t == s || blockedBetween(s, t)) {
      return;
    }
    send(t, Message.of(m.action, s.name));
  }

  /** Ends the signaling permission between two names, on the other party's instance too. */
  private void revokeGrant(String a, String b) {
    grants.remove(pair(a, b));
    if (backplane != null) {
      Sub other = remoteByName(b);
      if (other != null) {
        ObjectNode e = event("revoke");
        e.put("a", a);
        e.put("b", b);
        backplane.send(other.instance, toJson(e));
      }
    }
  }

  private String secret() {
    char[] c = new char[16];
    for (int i = 0; i < c.length; i++) {
      c[i] = (char) ('a' + random.nextInt(26));
    }
    return new String(c);
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) <= 0 ? a + "\u0000" + b : b + "\u0000" + a;
  }

  // ---------------------------------------------------------------- mute / block / boot / invite

  private void editSet(Sub s, Message m, Set<String> set, boolean add, String bootNotice) {
    String target = m.username == null ? "" : m.username.trim();
    if (target.isEmpty() || target.length() > 64) {
      error(s, "Invalid message: \"username\" is required.");
      return;
    }
    if (add) {
      if (set.size() >= 10_000) {
        error(s, "Too many names in that list.");
        return;
      }
      set.add(target);
    } else {
      set.remove(target);
    }
    if (!s.authenticated) {
      return;
    }
    Sub t = byName(target);
    if (t != null && t.isOp() && t != s) {
      if (bootNotice != null) {
        error(t, Html.escape(s.name) + (add ? " has booted you off of their camera!" : " has allowed you back on their camera."));
      } else {
        error(t, Html.escape(s.name) + " has muted you! Your new mute status is: " + add);
      }
    }
    if (!add) {
      revokeGrant(s.name, target);
    }
    sendWhoAll();
  }

  private void block(Sub s, Message m) {
    String target = m.username == null ? "" : m.username.trim();
    if (target.isEmpty() || target.length() > 64) {
      error(s, "Invalid message: \"username\" is required.");
      return;
    }
    Sub t = byName(target);
    if (t != null && t.isOp() && blockExempt(t)) {
      error(s, "You are not allowed to block a chat operator.");
      return;
    }
    if (s.blocked.size() < 10_000) {
      s.blocked.add(target);
    }
    revokeGrant(s.name, target);
    if (s.authenticated) {
      sendWhoAll();
    }
  }

  private void blocklist(Sub s, Message m) {
    if (m.usernames == null) {
      return;
    }
    for (String n : m.usernames) {
      if (n != null && !n.isBlank() && n.length() <= 64 && s.blocked.size() < 10_000) {
        s.muted.add(n.trim());
        s.blocked.add(n.trim());
      }
    }
    if (s.authenticated) {
      sendWhoAll();
    }
  }

  private void invite(Sub s, Message m) {
    if (m.usernames == null) {
      return;
    }
    for (String n : m.usernames) {
      if (n != null && !n.isBlank() && n.length() <= 64 && s.invited.size() < 10_000) {
        s.invited.add(n.trim());
      }
    }
    if (s.authenticated) {
      sendWhoAll();
    }
  }

  private boolean blockExempt(Sub u) {
    return u.isOp() && (!settings.blockableAdmins || u.unblockable);
  }

  /** A block in either direction, unless an exempt op is involved (spec §4.6). */
  private boolean blockedBetween(Sub a, Sub b) {
    if (a == b || blockExempt(a) || blockExempt(b)) {
      return false;
    }
    return a.blocked.contains(b.name) || b.blocked.contains(a.name);
  }

  // ---------------------------------------------------------------- takeback / react / report

  private void takeback(Sub s, Message m) {
    if (m.msgID == null) {
      error(s, "Invalid message: \"msgID\" is required.");
      return;
    }
    MsgRecord r = recent.get(m.msgID);
    boolean mine = r != null && r.ownerSubId == s.id;
    if (!s.isOp() && !mine) {
      error(s, "That is not your message to take back.");
      return;
    }
    for (ArrayDeque<Message> buf : echo.values()) {
      buf.removeIf(x -> m.msgID.equals(x.msgID));
    }
    Message out = Message.of("takeback");
    out.msgID = m.msgID;
    routeToAudience(r, s, toJson(out), false);
  }

  private void react(Sub s, Message m) {
    if (m.msgID == null || m.message == null || m.message.isEmpty() || m.message.length() > 64) {
      error(s, "Invalid message: react needs \"msgID\" and a short \"message\".");
      return;
    }
    Message out = Message.of("react", s.name);
    out.message = m.message;
    out.msgID = m.msgID;
    if (m.msgID < 0) {
      // The UI's "nudge" (msgID -451 with message = target name): only the target hears it.
      Sub t = byName(m.message);
      if (t != null && !blockedBetween(s, t) && !t.muted.contains(s.name)) {
        send(t, out);
      }
      return;
    }
    MsgRecord r = recent.get(m.msgID);
    if (r == null) {
      return;
    }
    routeToAudience(r, s, toJson(out), true);
  }

  /** To whoever could see message {@code r}: the two DM parties, or the channel's audience. */
  private void routeToAudience(MsgRecord r, Sub actor, String json, boolean honourMutes) {
    if (r != null && r.dmPeer != null) {
      Sub a = byName(r.owner);
      Sub b = byName(r.dmPeer);
      for (Sub x : new Sub[] {a, b}) {
        if (x != null && (!honourMutes || x == actor || !x.muted.contains(actor.name))) {
          sendRaw(x, json);
        }
      }
      if (a != actor && b != actor) {
        sendRaw(actor, json);
      }
      return;
    }
    String channel = r == null ? null : r.channel;
    fanOutAudience(channel, actor, actor.name, json, honourMutes);
    if (backplane != null) {
      ObjectNode e = event("audience");
      if (channel != null) {
        e.put("channel", channel);
      }
      e.put("actor", actor.name);
      e.put("frame", json);
      e.put("honourMutes", honourMutes);
      backplane.broadcast(toJson(e));
    }
  }

  private void fanOutAudience(String channel, Sub actor, String actorName, String json, boolean honourMutes) {
    Settings.Channel c = channel == null ? null : settings.channel(channel);
    for (Sub x : subs.values()) {
      if (!x.authenticated || x.closed) {
        continue;
      }
      if (c != null && c.vip && !x.isVip() && !x.isOp()) {
        continue;
      }
      if (honourMutes && x != actor && (x.muted.contains(actorName) || (actor != null && blockedBetween(actor, x)))) {
        continue;
      }
      sendRaw(x, json);
    }
  }

  private void report(Sub s, Message m) {
    long now = System.nanoTime();
    if (s.lastReportNanos != 0 && now - s.lastReportNanos < REPORT_INTERVAL_NANOS) {
      error(s, "Please wait a few seconds before sending another report.");
      return;
    }
    s.lastReportNanos = now;
    fileReport(s, truncate(m.reason, 200), m.channel, truncate(m.username, 64), truncate(m.message, 10_000),
        truncate(m.comment, 2000), truncate(m.timestamp, 64));
  }

  private void fileReport(Sub s, String reason, String channel, String about, String message, String comment,
      String timestamp) {
    Settings st = settings;
    Settings.Webhook hook = st.enabledWebhook("report");
    boolean fromFilter = "Server Side Message Filter".equals(reason) || "NSFW Command Issued".equals(reason);
    if (hook == null) {
      if (!fromFilter) {
        error(s, "Unfortunately, the report webhook is not enabled so your report could not be received!");
      }
      return;
    }
    Map<String, Object> rep = new LinkedHashMap<>();
    rep.put("FromUsername", s.name);
    rep.put("AboutUsername", about == null ? "" : about);
    rep.put("Channel", channel == null ? "" : channel);
    rep.put("Timestamp", timestamp == null ? clock.instant().toString() : timestamp);
    rep.put("Reason", reason == null ? "" : reason);
    rep.put("Message", message == null ? "" : message);
    rep.put("Comment", comment == null ? "" : comment);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Action", "report");
    body.put("APIKey", st.adminApiKey);
    body.put("Report", rep);
    webhooks.post(hook.url, body).whenComplete((ok, err) -> {
      if (fromFilter) {
        return;
      }
      synchronized (this) {
        if (err == null) {
          error(s, "Your report has been delivered successfully.");
        } else {
          Throwable cause = err.getCause() != null ? err.getCause() : err;
          error(s, "Error sending the report to the website: " + Html.escape(String.valueOf(cause.getMessage())));
        }
        drain();
      }
    });
  }

  // ---------------------------------------------------------------- operator commands (spec §7)

  /** Runs an op's slash command; false when it is not a command (then it is posted as chat). */
  private boolean command(Sub op, String text) {
    List<String> words = Commands.split(text);
    if (words.isEmpty()) {
      return false;
    }
    String cmd = words.get(0).toLowerCase(Locale.ROOT);
    String arg = words.size() > 1 ? stripAt(words.get(1)) : "";
    switch (cmd) {
      case "/kick" -> kick(op, arg);
      case "/ban" -> ban(op, arg, words.size() > 2 ? words.get(2) : "");
      case "/unban" -> {
        if (requireArg(op, arg, "/unban username")) {
          bans.remove(lower(arg));
          if (backplane != null) {
            ObjectNode e = event("unban");
            e.put("name", arg);
            backplane.broadcast(toJson(e));
          }
          bansChanged();
          error(op, "The ban on " + Html.escape(arg) + " has been lifted.");
        }
      }
      case "/bans" -> {
        StringBuilder sb = new StringBuilder("The listing of banned users currently includes:\n\n");
        Instant now = clock.instant();
        bans.entrySet().removeIf(e -> now.isAfter(e.getValue()));
        for (Map.Entry<String, Instant> e : bans.entrySet()) {
          sb.append("* ").append(e.getKey()).append(" until ").append(e.getValue()).append('\n');
        }
        error(op, Markdown.render(sb.toString()));
      }
      case "/nsfw" -> nsfw(op, arg);
      case "/cut" -> {
        Sub t = requireOnline(op, arg, "/cut username");
        if (t != null) {
          if ((t.video & Sub.ACTIVE) == 0) {
            error(op, Html.escape(t.name) + " is not broadcasting a camera.");
          } else {
            send(t, Message.of("cut"));
            error(op, Html.escape(t.name) + " has been told to turn off their camera.");
          }
        }
      }
      case "/unmute-all" -> {
        int n = op.muted.size();
        op.muted.clear();
        op.unblockable = true;
        error(op, "Your mute on " + n + " users has been lifted.");
        sendWhoAll();
      }
      case "/op", "/deop" -> {
        Sub t = requireOnline(op, arg, cmd + " username");
        if (t != null) {
          boolean grant = cmd.equals("/op");
          if (t.remote()) {
            ObjectNode e = event("op");
            e.put("name", t.name);
            e.put("grant", grant);
            e.put("by", op.name);
            backplane.send(t.instance, toJson(e));
          } else {
            setOp(t, grant, op.name);
          }
          error(op, grant ? "Operator rights have been granted to " + Html.escape(t.name) + "."
              : "Operator rights have been taken from " + Html.escape(t.name) + ".");
        }
      }
      case "/kickall" -> {
        String landing = settings.jwt.enabled && !settings.jwt.landingPageUrl.isBlank()
            ? " <a href=\"" + Html.escape(settings.jwt.landingPageUrl) + "\">Click here</a> to log in again." : "";
        List<Sub> everyone = new ArrayList<>(subs.values());
        everyone.addAll(remoteUsers());
        for (Sub t : everyone) {
          if (t.authenticated) {
            error(t, "All users have been kicked from the chat room by " + Html.escape(op.name) + "." + landing);
            send(t, Message.of("disconnect"));
            unauthenticate(t);
          }
        }
        sendWhoAll();
      }
      case "/shutdown" -> {
        for (Sub t : subs.values()) {
          if (t.authenticated) {
            error(t, "The chat server is going down for a reboot NOW!");
          }
        }
        log.warn("/shutdown issued by {}", op.name);
        host.shutdown();
      }
      case "/reconfigure" -> {
        try {
          Settings fresh = host.reload();
          reconfigure(fresh);
          error(op, "The server settings have been reloaded successfully!");
        } catch (Exception e) {
          error(op, "Error reloading the server settings: " + Html.escape(e.getMessage()));
        }
      }
      case "/help", "/help-advanced" -> error(op, Markdown.render(Commands.HELP));
      default -> {
        return false;
      }
    }
    return true;
  }

  /** /op and /deop on a user of this instance (its claims live here and reach the others in its presence). */
  private void setOp(Sub t, boolean grant, String by) {
    t.claims = (t.claims == null ? ChatClaims.forGuest(t.name) : t.claims).withOp(grant);
    error(t, grant ? "You have been granted operator privileges by " + Html.escape(by) + "."
        : "Your operator privileges have been revoked by " + Html.escape(by) + ".");
    sendWhoAll();
  }

  private boolean requireArg(Sub op, String arg, String usage) {
    if (arg.isEmpty()) {
      error(op, "Usage: " + Html.escape(usage));
      return false;
    }
    return true;
  }

  private Sub requireOnline(Sub op, String arg, String usage) {
    if (!requireArg(op, arg, usage)) {
      return null;
    }
    Sub t = byName(arg);
    if (t == null) {
      error(op, Html.escape(arg) + " is not online.");
    }
    return t;
  }

  private void kick(Sub op, String arg) {
    Sub t = requireOnline(op, arg, "/kick username");
    if (t == null) {
      return;
    }
    if (t == op) {
      error(op, "You can not kick yourself.");
      return;
    }
    error(t, "You have been kicked from the chat room by " + Html.escape(op.name));
    send(t, Message.of("disconnect"));
    String name = t.name;
    boolean visible = !t.hidden();
    unauthenticate(t);
    if (visible) {
      presenceAbout(name, "has been kicked from the room!");
    }
    error(op, Html.escape(name) + " has been kicked from the room");
    sendWhoAll();
  }

  private void ban(Sub op, String arg, String hoursText) {
    if (!requireArg(op, arg, "/ban username [hours]")) {
      return;
    }
    long hours = 24;
    try {
      hours = Long.parseLong(hoursText.trim());
      if (hours <= 0 || hours > 24L * 365 * 10) {
        hours = 24;
      }
    } catch (NumberFormatException e) {
      hours = 24;
    }
    if (lower(arg).equals(lower(op.name))) {
      error(op, "You can not ban yourself.");
      return;
    }
    Instant until = clock.instant().plus(Duration.ofHours(hours));
    bans.put(lower(arg), until);
    if (backplane != null) {
      ObjectNode e = event("ban");
      e.put("name", arg);
      e.put("until", until.toEpochMilli());
      backplane.broadcast(toJson(e));
    }
    bansChanged();
    Sub t = byName(arg);
    if (t != null) {
      String name = t.name;
      boolean visible = !t.hidden();
      error(t, "You have been banned from the chat room by " + Html.escape(op.name) + ". You may come back after "
          + hours + " hours.");
      send(t, Message.of("disconnect"));
      unauthenticate(t);
      if (visible) {
        presenceAbout(name, "has been banned!");
      }
      sendWhoAll();
    }
    error(op, Html.escape(arg) + " has been banned from the room for " + hours + " hours.");
  }

  private void nsfw(Sub op, String arg) {
    Sub t = requireOnline(op, arg, "/nsfw username");
    if (t == null) {
      return;
    }
    if ((t.video & Sub.ACTIVE) == 0 || (t.video & Sub.NSFW) != 0) {
      error(op, Html.escape(t.name) + " is not broadcasting a camera that can be marked Explicit.");
      return;
    }
    if (t.remote()) {
      ObjectNode e = event("nsfw");
      e.put("name", t.name);
      e.put("by", op.name);
      backplane.send(t.instance, toJson(e));
    } else {
      markExplicit(t, op.name);
    }
    error(op, Html.escape(t.name) + " now has their camera marked as Explicit");
    fileReport(op, "NSFW Command Issued", "", t.name, "", "", null);
  }

  /** /nsfw on a user of this instance, whose camera state lives here. */
  private void markExplicit(Sub t, String by) {
    if ((t.video & Sub.ACTIVE) == 0 || (t.video & Sub.NSFW) != 0) {
      return; // the camera changed while the command travelled
    }
    t.video |= Sub.NSFW;
    error(t, "Just a friendly reminder to mark your camera as 'Explicit' by using the button at the top of the page"
        + " if you are going to be sexual on webcam. Your camera has been marked as Explicit for you by "
        + Html.escape(by) + ".");
    Message me = Message.of("me", t.name);
    me.video = t.video;
    send(t, me);
    sendWhoAll();
  }

  private void presenceAbout(String name, String text) {
    Message p = Message.of("presence", name);
    p.message = text;
    fanOutPresenceAbout(name, toJson(p));
    publishPresenceNotice(name, text, true);
  }

  private void fanOutPresenceAbout(String name, String json) {
    for (Sub r : subs.values()) {
      if (r.authenticated && !r.closed && !r.muted.contains(name)) {
        sendRaw(r, json);
      }
    }
  }

  /** Kick/ban/takeover: the socket stays open but is logged out and nameless (spec §2.2 disconnect). */
  private void unauthenticate(Sub t) {
    if (t.remote()) {
      // Its instance logs it out; the caller already sent it the notices (same topic: they arrive first).
      ObjectNode e = event("unauth");
      e.put("name", t.name);
      backplane.send(t.instance, toJson(e));
      Map<String, Sub> users = remote.get(t.instance);
      if (users != null) {
        users.remove(lower(t.name));
      }
      dropGrants(t.name);
      sendWhoAll();
      return;
    }
    dropGrants(t.name);
    t.authenticated = false;
    t.name = "";
    t.claims = null;
    t.video = 0;
    metrics.users.set(countUsers());
  }

  private void reconfigure(Settings fresh) {
    JwtService j = jwt;
    if (fresh.jwt.enabled) {
      j = new JwtService(fresh.jwt.secretKey, Duration.ofMinutes(fresh.jwt.maxLifetimeMinutes), clock);
    } else {
      j = null;
    }
    this.settings = fresh;
    this.jwt = j;
  }

  // ---------------------------------------------------------------- admin API hooks (spec §8.1)

  /** /api/statistics: authenticated, non-hidden users and camera counts. */
  public synchronized Map<String, Object> statistics() {
    List<String> names = new ArrayList<>();
    int blue = 0;
    int red = 0;
    for (Sub s : subs.values()) {
      if (s.authenticated && !s.hidden()) {
        names.add(s.name);
        if ((s.video & Sub.ACTIVE) != 0) {
          if ((s.video & Sub.NSFW) != 0) {
            red++;
          } else {
            blue++;
          }
        }
      }
    }
    for (Sub s : remoteUsers()) {
      if (!s.hidden()) {
        names.add(s.name);
        if ((s.video & Sub.ACTIVE) != 0) {
          if ((s.video & Sub.NSFW) != 0) {
            red++;
          } else {
            blue++;
          }
        }
      }
    }
    names.sort(null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("UserCount", names.size());
    m.put("Usernames", names);
    m.put("Cameras", Map.of("Blue", blue, "Red", red));
    return m;
  }

  /** /api/block/now: each online user mutes and blocks the others and is told. */
  public synchronized void blockNow(List<String> names) {
    blockEachOther(names);
    if (backplane != null) {
      ObjectNode e = event("blocknow");
      names.forEach(e.putArray("names")::add);
      backplane.broadcast(toJson(e));
    }
    drain();
  }

  /** Each instance blocks for its own users: their mute and block sets live there. */
  private void blockEachOther(List<String> names) {
    for (String a : names) {
      Sub sa = localByName(a);
      if (sa == null) {
        continue;
      }
      for (String b : names) {
        if (!b.equals(a)) {
          sa.muted.add(b);
          sa.blocked.add(b);
          send(sa, Message.of("block", b));
        }
      }
    }
    sendWhoAll();
  }

  /** /api/disconnect/now: returns how many were removed. */
  public synchronized int disconnectNow(List<String> names, String message, boolean kick) {
    int removed = 0;
    for (String n : names) {
      Sub t = byName(n);
      if (t == null) {
        continue;
      }
      String name = t.name;
      boolean visible = !t.hidden();
      if (message != null && !message.isBlank()) {
        error(t, Html.escape(message));
      }
      send(t, Message.of("disconnect"));
      unauthenticate(t);
      if (visible) {
        presenceAbout(name, kick ? "has been kicked from the room!" : EXITED);
      }
      removed++;
    }
    sendWhoAll();
    drain();
    return removed;
  }

  /** /api/blocklist: kept on every instance, as the user's next page load may be served by any of them. */
  public synchronized void storeBlocklist(String user, List<String> names) {
    cachedBlocklists.put(user, List.copyOf(names));
    if (backplane != null) {
      ObjectNode e = event("blocklist");
      e.put("user", user);
      names.forEach(e.putArray("names")::add);
      backplane.broadcast(toJson(e));
    }
  }

  public synchronized List<String> cachedBlocklist(String user) {
    return user == null ? List.of() : cachedBlocklists.getOrDefault(user, List.of());
  }

  public synchronized void shutdownNotice() {
    for (Sub t : subs.values()) {
      if (t.authenticated) {
        error(t, "The chat server is going down for a reboot NOW!");
      }
    }
    drain();
  }

  /** True when {@code name} is logged in. */
  public synchronized boolean online(String name) {
    return byName(name) != null;
  }

  public synchronized int connectionCount() {
    return subs.size();
  }

  // ---------------------------------------------------------------- scale-out backplane

  private ObjectNode event(String type) {
    ObjectNode e = JSON.createObjectNode();
    e.put("t", type);
    return e;
  }

  private List<Sub> remoteUsers() {
    if (remote.isEmpty()) {
      return List.of();
    }
    List<Sub> out = new ArrayList<>();
    for (Map<String, Sub> users : remote.values()) {
      out.addAll(users.values());
    }
    return out;
  }

  private Sub remoteByName(String name) {
    for (Map<String, Sub> users : remote.values()) {
      Sub u = users.get(lower(name));
      if (u != null && u.name.equals(name)) {
        return u;
      }
    }
    return null;
  }

  /** Publishes this instance's users when they changed since the last publish (or always with {@code force}). */
  private void publishPresence(boolean force) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode users = root.putArray("users");
    for (Sub u : subs.values()) {
      if (!u.authenticated || u.closed) {
        continue;
      }
      ObjectNode n = users.addObject();
      n.put("name", u.name);
      n.put("status", u.status);
      n.put("video", u.video);
      n.put("dnd", u.dnd);
      n.put("loginAt", u.loginAt);
      n.put("unblockable", u.unblockable);
      if (u.claims != null) {
        n.set("claims", JSON.valueToTree(u.claims.toMap()));
      }
      putSet(n, "muted", u.muted);
      putSet(n, "blocked", u.blocked);
      putSet(n, "booted", u.booted);
      putSet(n, "invited", u.invited);
    }
    // What a newcomer instance must know that no event will repeat (read once per instance).
    Instant now = clock.instant();
    bans.entrySet().removeIf(e -> now.isAfter(e.getValue()));
    ObjectNode banned = root.putObject("bans");
    bans.forEach((name, until) -> banned.put(name, until.toEpochMilli()));
    putSet(root, "websiteNames", jwtNames);
    String json = toJson(root);
    if (force || !json.equals(lastPresence)) {
      lastPresence = json;
      backplane.publishPresence(json);
    }
  }

  private static void putSet(ObjectNode n, String key, Set<String> set) {
    if (!set.isEmpty()) {
      ArrayNode a = n.putArray(key);
      set.forEach(a::add);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return List.copyOf(out);
  }

  private static void readSet(JsonNode n, String key, Set<String> into) {
    n.path(key).forEach(x -> into.add(x.asText()));
  }

  /**
   * Bans and website names that another instance knew before this one saw any event: taken from
   * its first presence only, since later changes (an unban) arrive as events and an older
   * retained presence must not undo them.
   */
  private void learnSharedState(JsonNode presence) {
    Instant now = clock.instant();
    presence.path("bans").properties().forEach(e -> {
      Instant until = Instant.ofEpochMilli(e.getValue().asLong());
      if (until.isAfter(now)) {
        bans.merge(lower(e.getKey()), until, (a, b) -> a.isAfter(b) ? a : b);
      }
    });
    presence.path("websiteNames").forEach(n -> jwtNames.add(lower(n.asText())));
  }

  /** Bans changed: the retained presence carries them for instances that start later. */
  private void bansChanged() {
    if (backplane != null) {
      publishPresence(false);
    }
  }

  /**
   * Another instance's retained presence ({@code json} empty: it stopped or died). Its users
   * replace what this instance knew of it; everybody here gets a fresh who list.
   */
  public synchronized void onRemotePresence(String instance, String json) {
    if (backplane == null || instance.equals(backplane.instanceId())) {
      return;
    }
    Map<String, Sub> old = remote.remove(instance);
    Map<String, Sub> fresh = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      bootstrapped.remove(instance);
    } else {
      try {
        JsonNode root = JSON.readTree(json);
        if (bootstrapped.add(instance)) {
          learnSharedState(root);
        }
        for (JsonNode n : root.path("users")) {
          Sub u = new Sub(nextRemoteId--, new RemoteOutbound(instance, n.path("name").asText()), instance, 0, 0);
          u.instance = instance;
          u.name = n.path("name").asText();
          u.authenticated = true;
          u.wasEverAuthenticated = true;
          u.status = n.path("status").asText("online");
          u.video = n.path("video").asInt();
          u.dnd = n.path("dnd").asBoolean();
          u.loginAt = n.path("loginAt").asLong();
          u.unblockable = n.path("unblockable").asBoolean();
          JsonNode c = n.get("claims");
          if (c != null && c.isObject()) {
            List<String> rules = new ArrayList<>();
            c.path("rules").forEach(x -> rules.add(x.asText()));
            u.claims = new ChatClaims(u.name, c.path("op").asBoolean(), c.path("vip").asBoolean(),
                blankToNull(c.path("nick").asText()), blankToNull(c.path("img").asText()),
                blankToNull(c.path("url").asText()), blankToNull(c.path("emoji").asText()),
                blankToNull(c.path("gender").asText()), rules, Map.of());
          }
          readSet(n, "muted", u.muted);
          readSet(n, "blocked", u.blocked);
          readSet(n, "booted", u.booted);
          readSet(n, "invited", u.invited);
          if (Usernames.problem(u.name) == null) {
            fresh.put(lower(u.name), u);
          }
        }
      } catch (JsonProcessingException | RuntimeException e) {
        log.warn("unreadable presence from instance {}: {}", instance, e.toString());
        return;
      }
    }
    if (old != null) {
      for (Sub u : old.values()) {
        if (!fresh.containsKey(lower(u.name))) {
          dropGrants(u.name);
        }
      }
    }
    if (!fresh.isEmpty()) {
      remote.put(instance, fresh);
      remoteSeen.put(instance, System.nanoTime());
      resolveNameClashes(instance, fresh);
    } else {
      remoteSeen.remove(instance);
    }
    log.debug("instance {} has {} users", instance, fresh.size());
    sendWhoAll();
    drain();
  }

  /**
   * Two instances admitted the same name before either saw the other's presence. The earlier
   * login keeps it (a tie goes to the smaller instance id); this instance signs its user out if it
   * lost. The other instance runs the same rule, so exactly one of the two keeps the name.
   */
  private void resolveNameClashes(String instance, Map<String, Sub> users) {
    for (Sub l : List.copyOf(subs.values())) {
      if (!l.authenticated || l.closed) {
        continue;
      }
      Sub r = users.get(lower(l.name));
      if (r == null) {
        continue;
      }
      boolean localWins = l.loginAt < r.loginAt
          || (l.loginAt == r.loginAt && backplane.instanceId().compareTo(instance) < 0);
      if (!localWins) {
        log.info("{} lost the name to a login on instance {}", l, instance);
        error(l, "Somebody on another server of this chat took the name " + Html.escape(l.name)
            + " at the same moment. Please log in again.");
        send(l, Message.of("disconnect"));
        unauthenticate(l);
      }
    }
  }

  /**
   * The backplane (re)connected: republish this instance's users (the broker may have lost the
   * retained state) and, after {@code graceMillis}, forget instances whose presence did not come
   * back (they died while the broker was unreachable).
   */
  public synchronized void onBackplaneConnected(long graceMillis) {
    if (backplane == null) {
      return;
    }
    publishPresence(true);
    long mark = System.nanoTime();
    try {
      host.schedule(() -> forgetStale(mark), graceMillis);
    } catch (RuntimeException e) {
      // shutting down
    }
  }

  private synchronized void forgetStale(long mark) {
    boolean changed = false;
    for (String instance : List.copyOf(remote.keySet())) {
      Long seen = remoteSeen.get(instance);
      if (seen == null || seen - mark < 0) {
        log.info("instance {} did not republish its presence after the reconnect; dropping its users", instance);
        for (Sub u : remote.remove(instance).values()) {
          dropGrants(u.name);
        }
        remoteSeen.remove(instance);
        changed = true;
      }
    }
    if (changed) {
      sendWhoAll();
    }
  }

  /** One event from another instance (broadcast or addressed to this one), in its origin's order. */
  public synchronized void onRemoteEvent(JsonNode e) {
    if (backplane == null) {
      return;
    }
    try {
      switch (e.path("t").asText()) {
        case "chat" -> remoteChat(e);
        case "presence" -> {
          String name = e.path("name").asText();
          Message p = Message.of("presence", name);
          p.message = e.path("text").asText();
          Sub subject = remoteByName(name);
          if (subject != null && !e.path("about").asBoolean()) {
            fanOutPresence(subject, toJson(p));
          } else {
            fanOutPresenceAbout(name, toJson(p));
          }
        }
        case "audience" -> {
          String frame = e.path("frame").asText();
          JsonNode f = JSON.readTree(frame);
          if ("takeback".equals(f.path("action").asText())) {
            long id = f.path("msgID").asLong();
            for (ArrayDeque<Message> buf : echo.values()) {
              buf.removeIf(x -> x.msgID != null && x.msgID == id);
            }
          }
          String actor = e.path("actor").asText();
          fanOutAudience(e.hasNonNull("channel") ? e.get("channel").asText() : null, remoteByName(actor), actor,
              frame, e.path("honourMutes").asBoolean());
        }
        case "ban" -> {
          bans.put(lower(e.path("name").asText()), Instant.ofEpochMilli(e.path("until").asLong()));
          bansChanged();
        }
        case "unban" -> {
          bans.remove(lower(e.path("name").asText()));
          bansChanged();
        }
        case "jwtname" -> jwtNames.add(lower(e.path("name").asText()));
        case "deliver" -> {
          Sub to = localByName(e.path("to").asText());
          if (to != null) {
            sendRaw(to, e.path("frame").asText());
          } else {
            metrics.dropped();
          }
        }
        case "grant" -> grants.add(pair(e.path("a").asText(), e.path("b").asText()));
        case "revoke" -> grants.remove(pair(e.path("a").asText(), e.path("b").asText()));
        case "unauth" -> {
          Sub t = localByName(e.path("name").asText());
          if (t != null) {
            unauthenticate(t);
            sendWhoAll();
          }
        }
        case "op" -> {
          Sub t = localByName(e.path("name").asText());
          if (t != null) {
            setOp(t, e.path("grant").asBoolean(), e.path("by").asText());
          }
        }
        case "nsfw" -> {
          Sub t = localByName(e.path("name").asText());
          if (t != null) {
            markExplicit(t, e.path("by").asText());
          }
        }
        case "blocknow" -> blockEachOther(strings(e.path("names")));
        case "blocklist" -> cachedBlocklists.put(e.path("user").asText(), strings(e.path("names")));
        case "dm" -> recent.put(e.path("msgID").asLong(),
            new MsgRecord(0, e.path("from").asText(), null, e.path("to").asText()));
        default -> log.debug("unknown backplane event {}", e.path("t").asText());
      }
    } catch (JsonProcessingException | RuntimeException ex) {
      log.warn("bad backplane event {}", e.path("t").asText(), ex);
    }
    drain();
  }

  private void remoteChat(JsonNode e) throws JsonProcessingException {
    String fromName = e.path("from").asText();
    String channel = e.path("channel").asText();
    String frame = e.path("frame").asText();
    fanOutChannel(remoteByName(fromName), fromName, channel, frame);
    recent.put(e.path("msgID").asLong(), new MsgRecord(0, fromName, channel, null));
    storeEcho(channel, JSON.readValue(frame, Message.class));
  }

  /** A user of another instance: frames for it travel to its instance and arrive there unchanged. */
  private final class RemoteOutbound implements Outbound {
    private final String instance;
    private final String name;

    RemoteOutbound(String instance, String name) {
      this.instance = instance;
      this.name = name;
    }

    @Override
    public boolean offer(String json) {
      ObjectNode e = event("deliver");
      e.put("to", name);
      e.put("frame", json);
      backplane.send(instance, toJson(e));
      return true;
    }

    @Override
    public void close(int code, String reason) {
      // Its own instance owns the connection.
    }
  }

  // ---------------------------------------------------------------- plumbing

  private boolean rateAllows(Sub s) {
    Settings.Limits l = settings.limits;
    long now = System.nanoTime();
    double elapsed = (now - s.lastRefillNanos) / 1e9;
    s.lastRefillNanos = now;
    s.tokens = Math.min(l.messageBurst, s.tokens + elapsed * l.messagesPerSecond);
    if (s.tokens >= 1) {
      s.tokens -= 1;
      return true;
    }
    metrics.rateLimited.increment();
    if (now - s.lastRateNoticeNanos > 1_000_000_000L) {
      s.lastRateNoticeNanos = now;
      error(s, "You are sending messages too fast; some were dropped. Please slow down.");
    }
    return false;
  }

  private void badFrame(Sub s, String reason) {
    metrics.badFrames.increment();
    error(s, reason);
  }

  private static String describe(Exception e) {
    if (e instanceof MismatchedInputException mie && !mie.getPath().isEmpty()) {
      String field = mie.getPath().get(mie.getPath().size() - 1).getFieldName();
      if (field != null) {
        return "Invalid message: the field \"" + Html.escape(truncate(field, 64)) + "\" has the wrong type.";
      }
    }
    if (e instanceof MismatchedInputException) {
      return "Invalid message: expected one JSON object per frame.";
    }
    return "Invalid message: not valid JSON.";
  }

  private boolean hasRule(Sub s, String rule) {
    if (s.claims != null && s.claims.hasRule(rule)) {
      return true;
    }
    for (Settings.ModerationRule r : settings.moderationRules) {
      if (r.username.equals(s.name)) {
        switch (rule) {
          case "redcam" -> {
            return r.cameraAlwaysNsfw;
          }
          case "nobroadcast" -> {
            return r.noBroadcast || r.noVideo;
          }
          case "novideo" -> {
            return r.noVideo;
          }
          case "noimage" -> {
            return r.noImage;
          }
          case "nodvd" -> {
            return r.noDarkVideo;
          }
          default -> {
            return false;
          }
        }
      }
    }
    return false;
  }

  private Sub byName(String name) {
    if (name == null || name.isEmpty()) {
      return null;
    }
    for (Sub s : subs.values()) {
      if (s.authenticated && !s.closed && s.name.equals(name)) {
        return s;
      }
    }
    return backplane == null ? null : remoteByName(name);
  }

  private Sub localByName(String name) {
    for (Sub s : subs.values()) {
      if (s.authenticated && !s.closed && s.name.equals(name)) {
        return s;
      }
    }
    return null;
  }

  private void remove(Sub s, String presenceText) {
    if (subs.remove(s.id) == null) {
      return;
    }
    metrics.connections.decrementAndGet();
    boolean wasIn = s.authenticated;
    String name = s.name;
    boolean visible = !s.hidden();
    s.authenticated = false;
    if (wasIn) {
      dropGrants(name);
      metrics.users.set(countUsers());
      log.info("{} left", s);
      if (visible) {
        presenceAbout(name, presenceText);
      }
      sendWhoAll();
    }
  }

  private void dropGrants(String name) {
    String a = name + "\u0000";
    String b = "\u0000" + name;
    grants.removeIf(g -> g.startsWith(a) || g.endsWith(b));
  }

  /** Processes clients dropped for a full queue during this operation (their removal may drop more). */
  private void drain() {
    int guard = 0;
    while (!pendingRemovals.isEmpty() && guard++ < 100_000) {
      Removal r = pendingRemovals.poll();
      remove(r.sub(), r.presenceText());
    }
  }

  private int countUsers() {
    int n = 0;
    for (Sub s : subs.values()) {
      if (s.authenticated) {
        n++;
      }
    }
    return n;
  }

  private void error(Sub s, String html) {
    Message m = Message.of("error", CHAT_SERVER);
    m.message = html;
    send(s, m);
  }

  private void send(Sub s, Message m) {
    sendRaw(s, toJson(m));
  }

  private void sendRaw(Sub s, String json) {
    if (s.closed) {
      metrics.dropped();
      return;
    }
    boolean queued;
    outboundCalls++;
    try {
      queued = s.out.offer(json);
    } finally {
      outboundCalls--;
    }
    if (queued) {
      metrics.messagesOut.increment();
    } else {
      metrics.queueOverflow();
      metrics.dropped();
      log.info("{} is too slow to keep up; dropping it", s);
      s.closed = true;
      pendingRemovals.add(new Removal(s, EXITED));
    }
  }

  /** Closes a connection of this instance; the room forgets it at the next {@link #drain}. */
  private void closeOutbound(Sub s, int code, String reason) {
    s.closed = true;
    outboundCalls++;
    try {
      s.out.close(code, reason);
    } finally {
      outboundCalls--;
    }
    pendingRemovals.add(new Removal(s, EXITED));
  }

  static String toJson(Object m) {
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static String stripAt(String s) {
    return s.startsWith("@") ? s.substring(1) : s;
  }

  private static String truncate(String s, int max) {
    if (s == null) {
      return null;
    }
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
