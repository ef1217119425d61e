package io.rtchat.signal.mqtt.rtchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.rtchat.core.ConnectionPolicy;
import io.rtchat.core.ConnectionRequest;
import io.rtchat.core.PeerListener;
import io.rtchat.core.PeerSession;
import io.rtchat.core.QuestionHandler;
import io.rtchat.core.dialect.DialectPeer;
import io.rtchat.core.dialect.PeerConfig;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.TransportState;
import io.rtchat.identity.Identity;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer in an RTChat room (protocols/rtchat-mqtt.md): MQTT 3.1.1 signaling on {@code
 * mrtchat/<room>}, announcements, who offers, and one {@link RtchatSession} per remote peer.
 *
 * <p>Everything that changes state runs on one control thread (MQTT payloads, timers and the
 * WebRTC connection events of every session); listener calls run on a separate event thread.
 */
final class RtchatPeer implements DialectPeer {

  private static final Logger log = LoggerFactory.getLogger(RtchatPeer.class);

  /** When the page's non-initiator offers anyway, and how soon a new attempt may follow one. */
  static final long FALLBACK_OFFER_MILLIS = 1_100;
  /** While our offer is this young, offers from the same peer are ignored (we are impolite). */
  static final long OFFER_PENDING_MILLIS = 10_000;
  /** A connection not established by then is given up, so that announcements can retry. */
  static final long CONNECT_TIMEOUT_MILLIS = 15_000;
  /** Announcement times after SUBACK, as the page's; then every {@link #ANNOUNCE_PERIOD_MILLIS}. */
  static final long[] ANNOUNCE_MILLIS = {500, 3_000, 6_000, 9_000, 12_000, 15_000};
  static final long ANNOUNCE_PERIOD_MILLIS = 30_000;
  static final int KEEP_ALIVE_SECONDS = 60;
  /** Reconnection delays after losing the broker: 500 ms doubling to 5 s, like the page's 500 ms. */
  static final long RECONNECT_FIRST_MILLIS = 500;
  static final long RECONNECT_MAX_MILLIS = 5_000;
  static final int MAX_EARLY_CANDIDATES = 64;
  static final int MAX_REFUSALS_REMEMBERED = 1024;
  static final int MAX_WAITING_ACTIONS = 16;
  /** A peer that failed to prove its key is not connected again before this (or its unload). */
  static final long FAILED_PROOF_COOLDOWN_MILLIS = 60_000;

  private final String name;
  private final RtchatOptions options;
  private final PeerListener listener;
  private final ConnectionPolicy policy;
  private final Map<String, QuestionHandler> handlers;
  private final List<String> iceServers;
  private final Duration authTimeout;
  private final ScheduledExecutorService control;
  private final ExecutorService events;
  private final java.util.concurrent.Executor safeControl;
  private final Mqtt3AsyncClient mqtt;
  private final Map<String, RtchatSession> links = new ConcurrentHashMap<>();
  private final Map<String, String> advertisedKeys = new HashMap<>();
  private final Map<String, List<JsonNode>> earlyCandidates = new HashMap<>();
  private final Map<String, Long> lastAttempt = new HashMap<>();
  private final Map<String, List<Runnable>> awaitingDecision = new HashMap<>();
  private final Map<String, Long> failedProofs = new HashMap<>();
  private final Set<String> refused = new LinkedHashSet<>();
  private final AtomicInteger questionCounter = new AtomicInteger();
  private final AtomicLong compressedReceived = new AtomicLong();
  private final CompletableFuture<Void> joined = new CompletableFuture<>();
  private volatile TransportState state = TransportState.SUSPENDED;
  private volatile boolean closed;
  private volatile boolean everJoined;
  private boolean joinStarted;
  private boolean subscribedOnce;
  private int announceGeneration;

  RtchatPeer(PeerConfig config, RtchatOptions options) {
    this.name = config.name();
    this.options = options;
    this.listener = config.listener();
    this.policy = config.policy();
    this.handlers = config.handlers();
    this.iceServers = config.iceServers();
    this.authTimeout = config.authTimeout();
    AtomicInteger threads = new AtomicInteger();
    this.control = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rtchat-" + name
        + "-control-" + threads.incrementAndGet()));
    ScheduledExecutorService controlThread = this.control;
    this.safeControl = task -> {
      try {
        controlThread.execute(task);
      } catch (RejectedExecutionException e) {
        log.debug("dropped a connection event after close");
      }
    };
    this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "rtchat-" + name + "-events"));
    String clientId = "mrtchat" + name + "|" + HexFormat.of().formatHex(randomBytes(4));
    MqttClientBuilder builder = MqttClient.builder()
        .identifier(clientId)
        .serverHost(options.host())
        .serverPort(options.port())
        .addConnectedListener(context -> submit(this::subscribe))
        .addDisconnectedListener(context -> {
          // Called on HiveMQ's thread; the reconnector must be configured right here.
          if (closed || !everJoined) {
            context.getReconnector().reconnect(false); // join() reports a failed first connect
            if (!closed && !joined.isDone()) {
              joined.completeExceptionally(new SignalingException("lost the MQTT broker "
                  + options.address() + " while joining: " + context.getCause().getMessage(),
                  context.getCause()));
            }
            return;
          }
          long delay = Math.min(RECONNECT_MAX_MILLIS,
              RECONNECT_FIRST_MILLIS << Math.min(context.getReconnector().getAttempts(), 4));
          // Clean session: we subscribe again ourselves once connected; HiveMQ must not replay.
          context.getReconnector().reconnect(true)
              .resubscribeIfSessionExpired(false)
              .resubscribeIfSessionPresent(false)
              .republishIfSessionExpired(false)
              .delay(delay, TimeUnit.MILLISECONDS);
          submit(() -> {
            if (!closed && state != TransportState.SUSPENDED) {
              log.info("MQTT connection to {} lost ({}); reconnecting", options.address(),
                  context.getCause().getMessage());
              changeState(TransportState.SUSPENDED);
            }
          });
        });
    if (options.tls()) {
      builder = builder.sslWithDefaultConfig();
    }
    if (options.webSocket()) {
      String path = options.webSocketPath();
      builder = builder.webSocketConfig()
          .serverPath(path.startsWith("/") ? path.substring(1) : path)
          .subprotocol("mqtt")
          .applyWebSocketConfig();
    }
    this.mqtt = builder.useMqttVersion3().buildAsync();
  }

  // ---- DialectPeer ----

  @Override
  public String room() {
    return options.room();
  }

  @Override
  public synchronized CompletableFuture<Void> join() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("peer is closed"));
    }
    if (!joinStarted) {
      joinStarted = true;
      var connect = mqtt.connectWith().cleanSession(true).keepAlive(KEEP_ALIVE_SECONDS);
      if (options.username() != null) {
        var auth = connect.simpleAuth().username(options.username());
        if (options.password() != null) {
          auth = auth.password(options.password().getBytes(StandardCharsets.UTF_8));
        }
        connect = auth.applySimpleAuth();
      }
      connect.send().whenComplete((ack, error) -> {
        if (error != null && !joined.isDone()) {
          joined.completeExceptionally(new SignalingException("cannot connect to the MQTT broker "
              + options.address() + ": " + error.getMessage(), error));
          mqtt.disconnect().exceptionally(e -> null);
        }
      });
    }
    return joined;
  }

  @Override
  public TransportState signalingState() {
    return closed ? TransportState.LOST : state;
  }

  @Override
  public List<PeerSession> sessions() {
    return links.values().stream().filter(RtchatSession::isOpen)
        .map(PeerSession.class::cast).toList();
  }

  @Override
  public Optional<PeerSession> session(String peerName) {
    RtchatSession link = links.get(peerName);
    return link != null && link.isOpen() ? Optional.of(link) : Optional.empty();
  }

  /** Says {@code unload} to the room (waiting up to a second), closes every session, leaves. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (state == TransportState.CONNECTED || state == TransportState.RECONNECTED) {
      try {
        publish("unload", RtchatWire.NODES.textNode("disconnecting")).get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("unload not delivered: {}", e.toString());
      }
    }
    for (RtchatSession link : List.copyOf(links.values())) {
      link.close("closed");
    }
    try {
      mqtt.disconnect().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("MQTT disconnect: {}", e.toString());
    }
    if (!joined.isDone()) {
      joined.completeExceptionally(new IllegalStateException("peer closed before joining"));
    }
    emit(l -> l.onSignalingState(TransportState.LOST));
    control.shutdownNow();
    events.shutdown();
    try {
      events.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- MQTT ----

  private void subscribe() {
    if (closed) {
      return;
    }
    // A callback per subscription: HiveMQ ends it when a clean-session reconnect drops the
    // session, and this runs again on every (re)connection.
    mqtt.subscribeWith().topicFilter(options.topic()).qos(MqttQos.AT_MOST_ONCE)
        .callback(this::onPublish)
        .send()
        .whenComplete((ack, error) -> submit(() -> {
          if (error != null) {
            log.warn("subscribing to {} failed: {}", options.topic(), error.toString());
            if (!subscribedOnce) {
              joined.completeExceptionally(new SignalingException("cannot subscribe to "
                  + options.topic() + " on " + options.address() + ": " + error.getMessage(), error));
            }
            return;
          }
          boolean first = !subscribedOnce;
          subscribedOnce = true;
          everJoined = true;
          log.info("{} joined RTChat room {} on {}", name, options.room(), options.address());
          changeState(first ? TransportState.CONNECTED : TransportState.RECONNECTED);
          joined.complete(null);
          startAnnouncing();
        }));
  }

  private void changeState(TransportState next) {
    state = next;
    emit(l -> l.onSignalingState(next));
  }

  private void onPublish(Mqtt3Publish publish) {
    byte[] payload = publish.getPayloadAsBytes();
    submit(() -> receive(payload));
  }

  /** Publishes an envelope (QoS 0, never retained); completes when handed to the broker. */
  CompletableFuture<Integer> publish(String subtopic, JsonNode data) {
    byte[] payload = RtchatWire.encode(name, subtopic, data);
    return mqtt.publishWith().topic(options.topic()).qos(MqttQos.AT_MOST_ONCE).retain(false)
        .payload(payload).send().thenApply(ignored -> payload.length);
  }

  /** Publishes and forgets (failures are logged); returns the payload size. */
  int signal(String subtopic, JsonNode data) {
    byte[] payload = RtchatWire.encode(name, subtopic, data);
    mqtt.publishWith().topic(options.topic()).qos(MqttQos.AT_MOST_ONCE).retain(false)
        .payload(payload).send().whenComplete((ignored, error) -> {
          if (error != null) {
            log.debug("{} not published: {}", subtopic, error.toString());
          }
        });
    return payload.length;
  }

  // ---- announcements ----

  private void startAnnouncing() {
    int generation = ++announceGeneration;
    scheduleAnnounce(generation, 0, ANNOUNCE_MILLIS[0]);
  }

  private void scheduleAnnounce(int generation, int step, long delayMillis) {
    schedule(() -> {
      if (closed || generation != announceGeneration) {
        return;
      }
      if (step == 0 || links.values().stream().noneMatch(RtchatSession::isConnected)) {
        signal("connect", userInfo());
      }
      int next = step + 1;
      long delay = next < ANNOUNCE_MILLIS.length
          ? ANNOUNCE_MILLIS[next] - ANNOUNCE_MILLIS[step] : ANNOUNCE_PERIOD_MILLIS;
      scheduleAnnounce(generation, next, delay);
    }, delayMillis);
  }

  ObjectNode userInfo() {
    ObjectNode info = RtchatWire.NODES.objectNode();
    info.put("publicKeyString", options.publicKeyString());
    return info;
  }

  // ---- signaling (control thread) ----

  private void receive(byte[] payload) {
    if (closed) {
      return;
    }
    RtchatWire.Envelope envelope = RtchatWire.decode(payload);
    if (envelope == null) {
      log.debug("ignored an unreadable payload of {} bytes", payload.length);
      return;
    }
    if (envelope.compressed()) {
      compressedReceived.incrementAndGet();
    }
    String from = envelope.sender();
    if (from.equals(name)) {
      return;
    }
    RtchatSession link = links.get(from);
    if (link != null) {
      link.countSignaling(payload.length);
    }
    JsonNode data = envelope.data();
    switch (envelope.subtopic()) {
      case "connect" -> onConnect(from, data);
      case "RTCOffer" -> onOffer(from, data);
      case "RTCAnswer" -> onAnswer(from, data);
      case "RTCIceCandidate" -> onCandidate(from, data);
      case "unload" -> onUnload(from);
      case "nameChange" -> onNameChange(from, data);
      default -> log.debug("ignored subtopic {} from {}", envelope.subtopic(), from);
    }
  }

  private void rememberKey(String from, JsonNode userInfo) {
    if (userInfo != null && userInfo.path("publicKeyString").isTextual()) {
      advertisedKeys.put(from, userInfo.get("publicKeyString").asText());
    }
  }

  private void onConnect(String from, JsonNode data) {
    rememberKey(from, data);
    RtchatSession link = links.get(from);
    if (link != null) {
      if (link.isConnected()) {
        return; // healthy: never re-offer
      }
      long age = link.ageMillis();
      boolean stale = link.isClosed()
          || (link.isOfferer() && age > OFFER_PENDING_MILLIS) || age > CONNECT_TIMEOUT_MILLIS;
      if (!stale) {
        return;
      }
      link.close("not connected after " + age + " ms; retrying");
    }
    decide(from, () -> {
      if (RtchatNames.offersTo(name, from)) {
        offer(from);
      } else {
        schedule(() -> {
          if (!closed && liveLink(from) == null) {
            offer(from);
          }
        }, FALLBACK_OFFER_MILLIS);
      }
    });
  }

  private void offer(String to) {
    if (liveLink(to) != null) {
      return;
    }
    long now = System.nanoTime();
    Long last = lastAttempt.get(to);
    if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(FALLBACK_OFFER_MILLIS)) {
      return;
    }
    lastAttempt.put(to, now);
    RtchatSession link = new RtchatSession(this, to, true);
    links.put(to, link);
    link.startOffer();
  }

  private void onOffer(String from, JsonNode data) {
    JsonNode offer = data.path("offer");
    if (!name.equals(offer.path("target").asText(null))) {
      return; // addressed to someone else
    }
    JsonNode description = offer.path("localDescription");
    String sdp = description.path("sdp").asText(null);
    if (sdp == null || !"offer".equals(description.path("type").asText("offer"))) {
      return;
    }
    rememberKey(from, data.path("userInfo"));
    RtchatSession link = liveLink(from);
    if (link != null && link.isOfferer() && link.awaitingAnswer()
        && link.ageMillis() < OFFER_PENDING_MILLIS) {
      log.debug("offers crossed with {}: keeping ours (impolite)", from);
      return;
    }
    decide(from, () -> {
      RtchatSession old = links.get(from);
      if (old != null) {
        if (old.isOfferer() && old.awaitingAnswer() && old.ageMillis() < OFFER_PENDING_MILLIS) {
          return;
        }
        old.close("replaced by a new connection");
      }
      lastAttempt.put(from, System.nanoTime());
      RtchatSession link2 = new RtchatSession(this, from, false);
      links.put(from, link2);
      link2.acceptOffer(sdp);
    });
  }

  private void onAnswer(String from, JsonNode data) {
    if (!name.equals(data.path("target").asText(null))) {
      return;
    }
    JsonNode description = data.path("localDescription");
    String sdp = description.path("sdp").asText(null);
    RtchatSession link = liveLink(from);
    if (sdp != null && link != null && link.isOfferer() && link.awaitingAnswer()) {
      link.applyAnswer(sdp);
    }
  }

  private void onCandidate(String from, JsonNode data) {
    if (!data.isObject() || !data.path("candidate").isTextual()
        || data.path("candidate").asText().isEmpty()) {
      return; // end of candidates
    }
    RtchatSession link = liveLink(from);
    if (link != null && link.remoteDescriptionSet()) {
      link.addRemoteCandidate(data);
      return;
    }
    List<JsonNode> early = earlyCandidates.computeIfAbsent(from, k -> new ArrayList<>());
    if (early.size() >= MAX_EARLY_CANDIDATES) {
      early.remove(0);
    }
    early.add(data);
  }

  /** Candidates of {@code from} that came before its session could use them. */
  List<JsonNode> takeEarlyCandidates(String from) {
    List<JsonNode> early = earlyCandidates.remove(from);
    return early == null ? List.of() : early;
  }

  private void onUnload(String from) {
    RtchatSession link = links.get(from);
    if (link != null) {
      link.close("left");
    }
    advertisedKeys.remove(from);
    earlyCandidates.remove(from);
    refused.remove(from);
    failedProofs.remove(from);
  }

  private void onNameChange(String from, JsonNode data) {
    String oldName = data.path("oldName").asText(null);
    String newName = data.path("newName").asText(null);
    if (oldName == null || !from.equals(newName) || oldName.equals(newName)) {
      return;
    }
    String key = advertisedKeys.remove(oldName);
    if (key != null) {
      advertisedKeys.put(newName, key);
    }
    RtchatSession link = links.remove(oldName);
    if (link == null) {
      return;
    }
    RtchatSession displaced = links.put(newName, link);
    if (displaced != null && displaced != link) {
      displaced.close("replaced by " + oldName + " renamed");
    }
    link.renamed(newName);
  }

  /**
   * Asks the connection policy; runs {@code connect} on the control thread if accepted. While a
   * decision about a peer is pending (a human may be asked), later requests wait for the same one
   * and run after it in arrival order: an offer that comes right after the announcement that
   * triggered the question is neither lost nor handled before that announcement.
   */
  private void decide(String peerName, Runnable connect) {
    if (refused.contains(peerName)) {
      return;
    }
    Long until = failedProofs.get(peerName);
    if (until != null) {
      if (System.nanoTime() - until < 0) {
        return;
      }
      failedProofs.remove(peerName);
    }
    List<Runnable> waiting = awaitingDecision.get(peerName);
    if (waiting != null) {
      if (waiting.size() < MAX_WAITING_ACTIONS) {
        waiting.add(connect);
      }
      return;
    }
    List<Runnable> actions = new ArrayList<>();
    actions.add(connect);
    awaitingDecision.put(peerName, actions);
    CompletableFuture<Boolean> decision;
    try {
      decision = policy.decide(new ConnectionRequest(peerName, options.room())).toCompletableFuture();
    } catch (RuntimeException e) {
      decision = CompletableFuture.failedFuture(e);
    }
    decision.whenComplete((accepted, error) -> submit(() -> {
      awaitingDecision.remove(peerName, actions);
      if (closed) {
        return;
      }
      if (error == null && Boolean.TRUE.equals(accepted)) {
        actions.forEach(Runnable::run);
        return;
      }
      if (refused.size() >= MAX_REFUSALS_REMEMBERED) {
        refused.remove(refused.iterator().next());
      }
      refused.add(peerName);
      String reason = error == null ? "refused by connection policy"
          : "connection policy failed: " + error.getMessage();
      emit(l -> l.onRejected(peerName, reason));
    }));
  }

  private RtchatSession liveLink(String peerName) {
    RtchatSession link = links.get(peerName);
    return link == null || link.isClosed() ? null : link;
  }

  // ---- called by sessions ----

  String name() {
    return name;
  }

  RtchatOptions options() {
    return options;
  }

  Identity identity() {
    return options.identity();
  }

  RtchatKeyStore keyStore() {
    return options.keyStore();
  }

  String advertisedKey(String peerName) {
    return advertisedKeys.get(peerName);
  }

  List<String> iceServers() {
    return iceServers;
  }

  Duration authTimeout() {
    return authTimeout;
  }

  QuestionHandler handler(String topic) {
    return handlers.get(topic);
  }

  int nextQuestion() {
    return questionCounter.getAndIncrement();
  }

  /**
   * The control thread as an executor that never throws: webrtc-java aborts the JVM when a native
   * callback throws, and the engine's callbacks hand their results to this executor, possibly
   * after this peer was closed.
   */
  java.util.concurrent.Executor control() {
    return safeControl;
  }

  void removed(RtchatSession link) {
    links.remove(link.remoteName(), link);
  }

  /** Called on the control thread when a peer failed to prove its key. */
  void proofFailed(String peerName) {
    if (failedProofs.size() >= MAX_REFUSALS_REMEMBERED) {
      failedProofs.remove(failedProofs.keySet().iterator().next());
    }
    failedProofs.put(peerName,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FAILED_PROOF_COOLDOWN_MILLIS));
  }

  /** Payloads received LZ-compressed so far (for tests). */
  long compressedReceived() {
    return compressedReceived.get();
  }

  /** Runs a task on the control thread; nothing runs once the peer is closed. */
  void submit(Runnable task) {
    try {
      control.execute(() -> {
        try {
          task.run();
        } catch (Throwable t) {
          log.warn("RTChat control task failed", t);
        }
      });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  void schedule(Runnable task, long delayMillis) {
    try {
      control.schedule(() -> {
        try {
          task.run();
        } catch (Throwable t) {
          log.warn("RTChat timer task failed", t);
        }
      }, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** Calls the listener on the event thread; what it throws is logged. */
  void emit(Consumer<PeerListener> event) {
    try {
      events.execute(() -> {
        try {
          event.accept(listener);
        } catch (Throwable t) {
          log.warn("peer listener failed", t);
        }
      });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private static Thread daemon(Runnable r, String threadName) {
    Thread thread = new Thread(r, threadName);
    thread.setDaemon(true);
    return thread;
  }
}
