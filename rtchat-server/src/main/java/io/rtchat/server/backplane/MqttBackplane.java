package io.rtchat.server.backplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rtchat.server.chat.Backplane;
import io.rtchat.server.chat.ChatRoom;
import io.rtchat.server.config.Settings;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scale-out backplane over an MQTT broker (HiveMQ MQTT client, MQTT 5). Topics under the
 * configured prefix:
 * <ul>
 *   <li>{@code <prefix>/presence/<instance>}: retained state of the instance, one JSON object with
 *       a section per part: {@code chat} (its users) and one per {@link BackplaneService} (e.g.
 *       {@code relay}); the connection's last will clears it (empty retained payload);</li>
 *   <li>{@code <prefix>/room}: events for every instance (channel messages, presence notices, bans,
 *       services' events);</li>
 *   <li>{@code <prefix>/inst/<instance>}: events for one instance (frames for one of its users).</li>
 * </ul>
 * Events travel as {@code {"o":origin,"g":generation,"q":sequence,"s":service,"e":event}} ({@code s}
 * absent for the chat), QoS 1. MQTT keeps one client's QoS 1 order per topic; receivers drop
 * duplicates ({@code q} not above the last seen for that origin, generation and topic) and log
 * gaps. Inbound work runs on one thread, in order.
 */
public final class MqttBackplane implements Backplane, BackplaneServices, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttBackplane.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Publishes not yet acknowledged by the broker; beyond this new ones are dropped (bounded, loud). */
  static final int MAX_IN_FLIGHT = 100_000;
  private static final byte[] EMPTY = new byte[0];
  private static final String CHAT = "chat";
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z]{1,32}");
  /** A service's state changes within this window go out as one presence update. */
  private static final long STATE_COALESCE_MILLIS = 100;

  private final String instanceId;
  private final String generation;
  private final String prefix;
  private final int keepAliveSeconds;
  private final ChatRoom room;
  private final Mqtt5AsyncClient client;
  private final ScheduledThreadPoolExecutor inbound;
  /** Guards publishing of the presence and of room events, so each goes out in the order it was made. */
  private final Object publishLock = new Object();
  /** This instance's presence sections, by name; guarded by {@link #publishLock}. */
  private final Map<String, String> localSections = new LinkedHashMap<>();
  private long roomSeq;
  private final Map<String, Registered> services = new ConcurrentHashMap<>();
  /** Touched only on the inbound thread: other instances' presence sections, and when each was last received. */
  private final Map<String, Map<String, String>> remoteSections = new HashMap<>();
  private final Map<String, Long> presenceSeen = new HashMap<>();
  /** Instances whose presence arrived since the last (re)connect; touched only on the inbound thread. */
  private final Set<String> seenSinceConnect = new HashSet<>();
  private final Map<String, AtomicLong> instSeq = new java.util.concurrent.ConcurrentHashMap<>();
  /** Last sequence seen per origin/generation/topic; touched only on the inbound thread. */
  private final Map<String, Long> lastSeen = new HashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong droppedPublishes = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
  private volatile boolean closed;

  /**
   * @param url {@code mqtt://[user[:password]@]host:port} or {@code mqtts://...}
   */
  public MqttBackplane(Settings.Backplane config, URI url, ChatRoom room) {
    this.instanceId = config.instanceId == null || config.instanceId.isBlank() ? randomId() : config.instanceId;
    this.generation = randomId();
    this.prefix = config.topicPrefix;
    this.keepAliveSeconds = config.keepAliveSeconds;
    this.room = room;
    this.inbound = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "rtchat-backplane");
      t.setDaemon(true);
      return t;
    });
    inbound.setRemoveOnCancelPolicy(true);
    boolean tls = "mqtts".equals(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : (tls ? 8883 : 1883);
    MqttClientBuilder b = MqttClient.builder()
        .identifier("rtchat-" + instanceId + "-" + generation)
        .serverHost(url.getHost())
        .serverPort(port)
        .automaticReconnect().initialDelay(250, TimeUnit.MILLISECONDS).maxDelay(2, TimeUnit.SECONDS)
        .applyAutomaticReconnect()
        .addConnectedListener(c -> runInbound(this::onConnected))
        .addDisconnectedListener(c -> {
          if (!closed) {
            log.warn("backplane connection to {} lost or refused: {}; retrying", url.getHost() + ":" + port,
                c.getCause().toString());
          }
        });
    if (tls) {
      b = b.sslWithDefaultConfig();
    }
    Mqtt5ClientBuilder b5 = b.useMqttVersion5();
    this.client = b5.buildAsync();
    this.userInfo = url.getRawUserInfo();
  }

  private final String userInfo;

  /** Connects in the background (retrying forever); the returned future completes on the first connect. */
  public CompletableFuture<Void> start() {
    Mqtt5ConnectBuilder.Send<CompletableFuture<Mqtt5ConnAck>> connect = client.connectWith()
        .cleanStart(true)
        .sessionExpiryInterval(0)
        .keepAlive(keepAliveSeconds)
        .willPublish().topic(presenceTopic(instanceId)).payload(EMPTY).qos(MqttQos.AT_LEAST_ONCE).retain(true)
        .applyWillPublish();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      String user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
      var auth = connect.simpleAuth().username(user);
      if (colon >= 0) {
        auth = auth.password(URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8)
            .getBytes(StandardCharsets.UTF_8));
      }
      connect = auth.applySimpleAuth();
    }
    connect.send().whenComplete((ack, err) -> {
      if (err != null && !closed) {
        log.warn("backplane broker not reachable yet ({}); retrying in the background", err.toString());
      }
    });
    return firstConnect;
  }

  @Override
  public String instanceId() {
    return instanceId;
  }

  /** True while connected to the broker. */
  public boolean connected() {
    return client.getState().isConnected();
  }

  /** How many times the connection was established (1 after the first connect). */
  public long connectCount() {
    return connects.get();
  }

  /** Publishes dropped because {@link #MAX_IN_FLIGHT} were outstanding. */
  public long droppedPublishes() {
    return droppedPublishes.get();
  }

  @Override
  public void publishPresence(String json) {
    setSection(CHAT, json);
  }

  @Override
  public void broadcast(String json) {
    broadcast(null, json);
  }

  @Override
  public void send(String instance, String json) {
    long q = instSeq.computeIfAbsent(instance, k -> new AtomicLong()).incrementAndGet();
    publish(prefix + "/inst/" + instance, envelope(q, null, json), false);
  }

  @Override
  public BackplaneChannel register(String name, BackplaneService service) {
    if (!SERVICE_NAME.matcher(name).matches() || name.equals(CHAT)) {
      throw new IllegalArgumentException("a backplane service name is [a-z]+ and not 'chat', got " + name);
    }
    Registered r = new Registered(name, Objects.requireNonNull(service, "service"));
    if (services.putIfAbsent(name, r) != null) {
      throw new IllegalStateException("backplane service " + name + " is already registered");
    }
    runInbound(() -> remoteSections.forEach((instance, sections) -> {
      String state = sections.get(name);
      if (state != null) {
        r.deliver(() -> service.onRemoteState(instance, state));
      }
    }));
    r.stateChanged();
    return r;
  }

  /** A registered service and its channel. */
  private final class Registered implements BackplaneChannel {
    final String name;
    final BackplaneService service;
    private final AtomicBoolean flushPending = new AtomicBoolean();

    Registered(String name, BackplaneService service) {
      this.name = name;
      this.service = service;
    }

    @Override
    public void stateChanged() {
      if (flushPending.compareAndSet(false, true)) {
        try {
          inbound.schedule(this::flush, STATE_COALESCE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          log.debug("backplane closed; state of {} not published", name);
        }
      }
    }

    @Override
    public void broadcast(String event) {
      MqttBackplane.this.broadcast(name, event);
    }

    void flush() {
      flushPending.set(false);
      setSection(name, readLocalState());
    }

    String readLocalState() {
      try {
        return service.localState();
      } catch (RuntimeException e) {
        log.warn("backplane service {} failed to give its state", name, e);
        return null;
      }
    }

    /** Runs one callback; a failure is logged and never reaches the MQTT client. */
    void deliver(Runnable callback) {
      try {
        callback.run();
      } catch (RuntimeException e) {
        log.warn("backplane service {} failed on remote input", name, e);
      }
    }
  }

  private void setSection(String name, String json) {
    synchronized (publishLock) {
      if (json == null) {
        localSections.remove(name);
      } else {
        localSections.put(name, json);
      }
      StringBuilder presence = new StringBuilder("{");
      localSections.forEach((section, value) -> {
        if (presence.length() > 1) {
          presence.append(',');
        }
        presence.append('"').append(section).append("\":").append(value);
      });
      publish(presenceTopic(instanceId), presence.append('}').toString().getBytes(StandardCharsets.UTF_8), true);
    }
  }

  private void broadcast(String service, String json) {
    synchronized (publishLock) {
      publish(prefix + "/room", envelope(++roomSeq, service, json), false);
    }
  }

  private byte[] envelope(long seq, String service, String event) {
    // The instance id, generation and service names are plain [A-Za-z0-9_.-]: no escaping needed.
    return ("{\"o\":\"" + instanceId + "\",\"g\":\"" + generation + "\",\"q\":" + seq
        + (service == null ? "" : ",\"s\":\"" + service + "\"") + ",\"e\":" + event + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private void publish(String topic, byte[] payload, boolean retain) {
    if (closed) {
      return;
    }
    if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
      inFlight.decrementAndGet();
      if (droppedPublishes.incrementAndGet() % 1000 == 1) {
        log.warn("backplane: {} publishes outstanding, dropping (broker too slow or unreachable)", MAX_IN_FLIGHT);
      }
      return;
    }
    client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain).payload(payload).send()
        .whenComplete((r, err) -> {
          inFlight.decrementAndGet();
          if (err != null && !closed) {
            log.debug("backplane publish to {} failed: {}", topic, err.toString());
          }
        });
  }

  private String presenceTopic(String instance) {
    return prefix + "/presence/" + instance;
  }

  /** (Re)connected: republish our users, subscribe afresh (clean start). Runs on the inbound thread. */
  private void onConnected() {
    if (closed) {
      return;
    }
    long n = connects.incrementAndGet();
    log.info("backplane connected (instance {}, connection {})", instanceId, n);
    // Before subscribing, so that every retained presence that arrives counts as "came back".
    seenSinceConnect.clear();
    synchronized (publishLock) {
      for (Registered r : services.values()) {
        String state = r.readLocalState();
        if (state != null) {
          localSections.put(r.name, state);
        }
      }
    }
    long graceMillis = Math.max(2000, keepAliveSeconds * 1000L);
    room.onBackplaneConnected(graceMillis);
    long mark = System.nanoTime();
    try {
      inbound.schedule(() -> forgetStale(mark), graceMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("backplane closed");
    }
    client.subscribeWith()
        .addSubscription().topicFilter(prefix + "/presence/+").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
        .addSubscription().topicFilter(prefix + "/room").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).applySubscription()
        .addSubscription().topicFilter(prefix + "/inst/" + instanceId).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
        .callback(this::onPublish)
        .executor(this::runInbound)
        .send()
        .whenComplete((ack, err) -> {
          if (err != null) {
            log.warn("backplane subscription failed: {}", err.toString());
            return;
          }
          firstConnect.complete(null);
        });
  }

  private void onPublish(Mqtt5Publish p) {
    try {
      String topic = p.getTopic().toString();
      byte[] payload = p.getPayloadAsBytes();
      String presencePrefix = prefix + "/presence/";
      if (topic.startsWith(presencePrefix)) {
        String instance = topic.substring(presencePrefix.length());
        if (!instance.equals(instanceId)) {
          onRemotePresence(instance, payload);
        }
        return;
      }
      JsonNode env = JSON.readTree(payload);
      String origin = env.path("o").asText();
      if (origin.equals(instanceId) && env.path("g").asText().equals(generation)) {
        return;
      }
      String key = origin + "/" + env.path("g").asText() + "/" + topic;
      long q = env.path("q").asLong();
      Long last = lastSeen.get(key);
      if (last != null && q <= last) {
        log.debug("backplane duplicate {} #{}", key, q);
        return;
      }
      if (last != null && q != last + 1) {
        log.warn("backplane: {} events from {} were lost (broker dropped them)", q - last - 1, origin);
      }
      lastSeen.put(key, q);
      JsonNode service = env.get("s");
      if (service == null) {
        room.onRemoteEvent(env.path("e"));
        return;
      }
      Registered r = services.get(service.asText());
      if (r != null) {
        String event = env.path("e").toString();
        r.deliver(() -> r.service.onRemoteEvent(origin, event));
      }
    } catch (Exception e) {
      log.warn("backplane: unreadable publication on {}: {}", p.getTopic(), e.toString());
    }
  }

  /**
   * Another instance's retained presence (empty: it stopped or died): each section goes to its
   * part when it changed, the chat's also on the first presence after a (re)connect (the chat room
   * counts those to find instances that did not come back).
   */
  private void onRemotePresence(String instance, byte[] payload) throws java.io.IOException {
    Map<String, String> sections = new HashMap<>();
    if (payload.length > 0) {
      JsonNode root = JSON.readTree(payload);
      if (!root.isObject()) {
        throw new java.io.IOException("presence is not a JSON object");
      }
      root.properties().forEach(f -> sections.put(f.getKey(), f.getValue().toString()));
    }
    Map<String, String> before = sections.isEmpty() ? remoteSections.remove(instance)
        : remoteSections.put(instance, sections);
    if (before == null) {
      before = Map.of();
    }
    if (sections.isEmpty()) {
      presenceSeen.remove(instance);
    } else {
      presenceSeen.put(instance, System.nanoTime());
    }
    String chat = sections.get(CHAT);
    if (seenSinceConnect.add(instance) || !Objects.equals(chat, before.get(CHAT))) {
      room.onRemotePresence(instance, chat == null ? "" : chat);
    }
    for (Registered r : services.values()) {
      String state = sections.get(r.name);
      if (!Objects.equals(state, before.get(r.name))) {
        r.deliver(() -> r.service.onRemoteState(instance, state));
      }
    }
  }

  /** Services forget instances whose presence did not come back within the grace after a reconnect. */
  private void forgetStale(long mark) {
    for (Iterator<Map.Entry<String, Map<String, String>>> it = remoteSections.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Map<String, String>> e = it.next();
      Long seen = presenceSeen.get(e.getKey());
      if (seen != null && seen - mark >= 0) {
        continue;
      }
      it.remove();
      presenceSeen.remove(e.getKey());
      for (Registered r : services.values()) {
        if (e.getValue().containsKey(r.name)) {
          r.deliver(() -> r.service.onRemoteState(e.getKey(), null));
        }
      }
    }
  }

  /** Clears this instance's presence (its users leave every other instance's who list) and disconnects. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      if (client.getState().isConnected()) {
        client.publishWith().topic(presenceTopic(instanceId)).qos(MqttQos.AT_LEAST_ONCE).retain(true)
            .payload(EMPTY).send().get(2, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      log.debug("backplane: could not clear presence on close: {}", e.toString());
    }
    closed = true;
    try {
      client.disconnect().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("backplane disconnect: {}", e.toString());
    }
    inbound.shutdownNow();
  }

  /** Inbound work in order on one thread; after close it is dropped (the client may still deliver a little). */
  private void runInbound(Runnable task) {
    try {
      inbound.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("backplane closed; dropping inbound work");
    }
  }

  private static String randomId() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
