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
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scale-out backplane over an MQTT broker (HiveMQ MQTT client, MQTT 5). Topics under the
 * configured prefix:
 * <ul>
 *   <li>{@code <prefix>/presence/<instance>}: retained state of the instance's users; the
 *       connection's last will clears it (empty retained payload);</li>
 *   <li>{@code <prefix>/room}: events for every instance (channel messages, presence notices, bans);</li>
 *   <li>{@code <prefix>/inst/<instance>}: events for one instance (frames for one of its users).</li>
 * </ul>
 * Events travel as {@code {"o":origin,"g":generation,"q":sequence,"e":event}}, QoS 1. MQTT keeps
 * one client's QoS 1 order per topic; receivers drop duplicates ({@code q} not above the last seen
 * for that origin, generation and topic) and log gaps. Inbound work runs on one thread, in order.
 */
public final class MqttBackplane implements Backplane, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttBackplane.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Publishes not yet acknowledged by the broker; beyond this new ones are dropped (bounded, loud). */
  static final int MAX_IN_FLIGHT = 100_000;
  private static final byte[] EMPTY = new byte[0];

  private final String instanceId;
  private final String generation;
  private final String prefix;
  private final int keepAliveSeconds;
  private final ChatRoom room;
  private final Mqtt5AsyncClient client;
  private final ExecutorService inbound;
  private final AtomicLong roomSeq = new AtomicLong();
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
    this.inbound = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "rtchat-backplane");
      t.setDaemon(true);
      return t;
    });
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
    publish(presenceTopic(instanceId), json.getBytes(StandardCharsets.UTF_8), true);
  }

  @Override
  public void broadcast(String json) {
    publish(prefix + "/room", envelope(roomSeq.incrementAndGet(), json), false);
  }

  @Override
  public void send(String instance, String json) {
    long q = instSeq.computeIfAbsent(instance, k -> new AtomicLong()).incrementAndGet();
    publish(prefix + "/inst/" + instance, envelope(q, json), false);
  }

  private byte[] envelope(long seq, String event) {
    // The instance id and generation are plain [A-Za-z0-9_.-]: no escaping needed.
    return ("{\"o\":\"" + instanceId + "\",\"g\":\"" + generation + "\",\"q\":" + seq + ",\"e\":" + event + "}")
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
    room.onBackplaneConnected(Math.max(2000, keepAliveSeconds * 1000L));
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
          room.onRemotePresence(instance, new String(payload, StandardCharsets.UTF_8));
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
      room.onRemoteEvent(env.path("e"));
    } catch (Exception e) {
      log.warn("backplane: unreadable publication on {}: {}", p.getTopic(), e.toString());
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
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("backplane closed; dropping inbound work");
    }
  }

  private static String randomId() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
