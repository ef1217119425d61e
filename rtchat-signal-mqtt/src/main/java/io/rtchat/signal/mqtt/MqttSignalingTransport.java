package io.rtchat.signal.mqtt;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.TransportState;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signaling through an MQTT broker with the HiveMQ client (async API).
 *
 * <p>One clean session per join; topics as in {@link Topics}. Payloads for the room go out with
 * QoS 0 (announces are repeated anyway), payloads for one peer and the last will with QoS 1. When
 * the broker goes away the transport reports {@link TransportState#SUSPENDED}, reconnects with
 * exponential back-off (250 ms doubling to 5 s, with jitter), subscribes again explicitly and
 * reports {@link TransportState#RECONNECTED}. Sends while suspended fail fast instead of queueing.
 *
 * <p>Wills arrive on their own topic and are held for {@link #WILL_GRACE_MS} before they are
 * delivered: a broker that shuts down (Mosquitto does this) publishes every client's will just
 * before it drops the connections, and those goodbyes say nothing about the peers. A will is
 * delivered only if our own connection survived the grace period.
 *
 * <p>Without {@code version} in the URI it speaks MQTT 5 and, when the broker refuses that, MQTT
 * 3.1.1 (Moquette 0.17, older public brokers). Such a broker is remembered ({@link Mqtt5Refusals}):
 * later joins to it in this process start with MQTT 3.1.1, and try MQTT 5 only if that is refused.
 */
public final class MqttSignalingTransport implements SignalingTransport {

  private static final Logger log = LoggerFactory.getLogger(MqttSignalingTransport.class);

  /** The join future fails after this long at the latest (the CLI must give up within 10 s). */
  static final long JOIN_TIMEOUT_MS = 9_000;
  static final long RECONNECT_INITIAL_DELAY_MS = 250;
  static final long RECONNECT_MAX_DELAY_MS = 5_000;
  /** How long a will is held back; see the class comment. */
  static final long WILL_GRACE_MS = 2_000;
  private static final long CLOSE_WAIT_MS = 2_000;
  private static final int MAX_SUBSCRIBE_RETRIES = 3;
  /**
   * Brokers refuse an MQTT version at once; a broker that stays silent until the CONNACK timeout
   * will not answer MQTT 3.1.1 either, and a second wait would break the 10 s promise.
   */
  private static final long FALLBACK_WITHIN_MS = 2_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MqttEndpoint endpoint;
  private final String clientId;
  private final MqttLink.Events events = new LinkEvents();

  // Guarded by this; read without the lock where volatile.
  private volatile MqttLink link;
  private volatile Topics topics;
  private volatile SignalingListener listener;
  private volatile TransportState state = TransportState.SUSPENDED;
  private volatile boolean joined;
  private volatile boolean closed;
  /** Counts connection losses; a held will is dropped when it changed meanwhile. */
  private final java.util.concurrent.atomic.AtomicLong connectionLosses =
      new java.util.concurrent.atomic.AtomicLong();
  private JoinSpec spec;
  private int subscribeRetries;
  /** Whether this join already tried the other MQTT version (at most once: no ping-pong). */
  private boolean triedOtherVersion;
  private CompletableFuture<Void> joinFuture;

  MqttSignalingTransport(MqttEndpoint endpoint) {
    this.endpoint = endpoint;
    this.clientId = endpoint.clientId() != null ? endpoint.clientId() : randomClientId();
  }

  /** {@code rtchat-} and 16 random characters: 23 in all, the MQTT 3.1.1 minimum every broker takes. */
  private static String randomClientId() {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder id = new StringBuilder("rtchat-");
    for (int i = 0; i < 16; i++) {
      id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return id.toString();
  }

  @Override
  public CompletableFuture<Void> join(JoinSpec spec, SignalingListener listener) {
    CompletableFuture<Void> result;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new SignalingException("MQTT transport is closed"));
      }
      if (this.spec != null) {
        return CompletableFuture.failedFuture(new IllegalStateException("already joined"));
      }
      if (spec.goodbye() != null && spec.goodbye().length > EnvelopeCodec.MAX_BYTES) {
        return CompletableFuture.failedFuture(new IllegalArgumentException(
            "goodbye of " + spec.goodbye().length + " bytes exceeds " + EnvelopeCodec.MAX_BYTES));
      }
      try {
        this.topics = new Topics(spec.room(), spec.peerName());
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(e);
      }
      this.spec = new JoinSpec(spec.room(), spec.peerName(),
          spec.goodbye() == null ? null : spec.goodbye().clone());
      this.listener = listener;
      this.joinFuture = new CompletableFuture<>();
      result = joinFuture;
      attempt(firstVersion());
    }
    CompletableFuture.delayedExecutor(JOIN_TIMEOUT_MS, TimeUnit.MILLISECONDS).execute(() ->
        failJoin(new SignalingException("cannot reach the MQTT broker at " + endpoint.address()
            + " within " + JOIN_TIMEOUT_MS / 1000 + " s; check host, port and scheme of " + endpoint)));
    return result.copy();
  }

  /** The URI's version, else MQTT 5 unless this broker refused it before. */
  private int firstVersion() {
    if (endpoint.version() != 0) {
      return endpoint.version();
    }
    return Mqtt5Refusals.refused(endpoint) ? 3 : 5;
  }

  /** Starts one connection attempt with {@code version}. Called with the lock held. */
  private void attempt(int version) {
    MqttLink attempt = MqttLink.create(version, endpoint, clientId, events);
    link = attempt;
    log.debug("connecting to {} with MQTT {} as {}", endpoint, version == 3 ? "3.1.1" : "5", clientId);
    AtomicBoolean connected = new AtomicBoolean();
    long started = System.nanoTime();
    attempt.connect(topics.willPublish(), spec.goodbye())
        .thenCompose(ignored -> {
          connected.set(true);
          return attempt.subscribe(topics.roomFilter(), topics.willFilter(), topics.inboxFilter());
        })
        .whenComplete((ignored, error) -> joinAttemptDone(attempt, connected.get(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), error));
  }

  private void joinAttemptDone(
      MqttLink attempt, boolean connected, long elapsedMs, Throwable error) {
    Throwable cause = unwrap(error);
    boolean disconnect = false;
    synchronized (this) {
      if (attempt != link) {
        return;
      }
      if (cause == null) {
        if (closed || joinFuture.isDone()) {
          disconnect = true;
        } else {
          joined = true;
          state = TransportState.CONNECTED;
          if (endpoint.version() == 0 && attempt.version() == 3) {
            Mqtt5Refusals.remember(endpoint);
          }
          log.info("joined room '{}' as '{}' on {} (MQTT {})", spec.room(), spec.peerName(),
              endpoint, attempt.version() == 5 ? "5"
                  : triedOtherVersion ? "3.1.1, as this broker refuses MQTT 5: later joins in this"
                      + " process skip that attempt; version=3 in the URI skips it always" : "3.1.1");
        }
      } else if (!closed && !joinFuture.isDone() && connected
          && ++subscribeRetries <= MAX_SUBSCRIBE_RETRIES) {
        // Accepted, then dropped while subscribing. Moquette 0.17 does this when SUBSCRIBE
        // overtakes its own bookkeeping of the CONNECT; a fresh connection succeeds.
        log.debug("{} dropped the connection while subscribing ({}); connecting again", endpoint,
            describe(cause));
        attempt.disconnect(); // in case only the subscription failed
        attempt(attempt.version());
        return;
      } else if (endpoint.version() == 0 && !triedOtherVersion && !closed
          && !joinFuture.isDone() && !connected && !isUnreachable(cause)
          && elapsedMs < FALLBACK_WITHIN_MS) {
        // MQTT 5 refused; or MQTT 3.1.1, tried first because this broker once refused MQTT 5,
        // refused now (another broker on its address since?).
        triedOtherVersion = true;
        int other = attempt.version() == 5 ? 3 : 5;
        if (other == 5) {
          Mqtt5Refusals.forget(endpoint);
        }
        log.debug("{} refused MQTT {} ({}); trying MQTT {}", endpoint,
            attempt.version() == 5 ? "5" : "3.1.1", describe(cause), other == 5 ? "5" : "3.1.1");
        attempt(other);
        return;
      } else {
        disconnect = true;
      }
    }
    if (disconnect) {
      attempt.disconnect();
    }
    if (cause == null && !disconnect) {
      notifyState(TransportState.CONNECTED);
      joinFuture.complete(null);
    } else if (cause != null) {
      failJoin(new SignalingException("cannot join the MQTT broker at " + endpoint.address() + ": "
          + describe(cause) + hint(cause), cause));
    }
  }

  private void failJoin(SignalingException error) {
    CompletableFuture<Void> future;
    MqttLink current;
    synchronized (this) {
      future = joinFuture;
      current = link;
      if (future == null || future.isDone()) {
        return;
      }
      link = null; // late results of this attempt are ignored
    }
    if (current != null) {
      current.disconnect();
    }
    future.completeExceptionally(error);
  }

  @Override
  public CompletableFuture<Void> send(String target, byte[] payload) {
    if (payload == null) {
      return CompletableFuture.failedFuture(new NullPointerException("payload"));
    }
    if (payload.length > EnvelopeCodec.MAX_BYTES) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "payload of " + payload.length + " bytes exceeds " + EnvelopeCodec.MAX_BYTES));
    }
    MqttLink current = link;
    if (closed) {
      return CompletableFuture.failedFuture(new SignalingException("MQTT transport is closed"));
    }
    if (!joined || current == null) {
      return CompletableFuture.failedFuture(new SignalingException("MQTT transport is not joined"));
    }
    if (state == TransportState.SUSPENDED) {
      return CompletableFuture.failedFuture(new SignalingException(
          "MQTT broker at " + endpoint.address() + " is unreachable; reconnecting"));
    }
    String topic;
    try {
      topic = target == null ? topics.roomPublish() : topics.targeted(target);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    MqttQos qos = target == null ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE;
    CompletableFuture<Void> sent = new CompletableFuture<>();
    current.publish(topic, payload.clone(), qos).whenComplete((ignored, error) -> {
      if (error == null) {
        sent.complete(null);
      } else {
        Throwable cause = unwrap(error);
        sent.completeExceptionally(new SignalingException(
            "MQTT publish to " + endpoint.address() + " failed: " + describe(cause), cause));
      }
    });
    return sent;
  }

  /** The current HiveMQ client, for tests. */
  MqttLink link() {
    return link;
  }

  @Override
  public TransportState state() {
    return closed ? TransportState.LOST : state;
  }

  @Override
  public void close() {
    MqttLink current;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      state = TransportState.LOST;
      current = link;
    }
    log.debug("closing the transport for {}", endpoint);
    failJoin(new SignalingException("MQTT transport closed before the join completed"));
    if (current == null) {
      return;
    }
    // A normal DISCONNECT: the broker discards the will. The peer has sent its own bye already.
    // While HiveMQ waits to reconnect this fails at once and the wait goes on; the next attempt
    // then sees `closed` and ends the reconnecting, or disconnects if the broker is back.
    CompletableFuture<Void> disconnected = current.disconnect();
    if (Thread.currentThread() instanceof FastThreadLocalThread) {
      return; // a HiveMQ/Netty thread: waiting here would block the disconnect itself
    }
    try {
      disconnected.get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("disconnect from {}: {}", endpoint, describe(unwrap(e)));
    }
  }

  private void notifyState(TransportState newState) {
    SignalingListener current = listener;
    try {
      if (current != null && !closed) {
        current.onStateChanged(newState);
      }
    } catch (Throwable t) {
      log.warn("signaling listener failed on state {}", newState, t);
    }
  }

  /** Callbacks from the HiveMQ client threads; nothing may escape them. */
  private final class LinkEvents implements MqttLink.Events {

    @Override
    public void connected(MqttLink source) {
      try {
        if (source != link) {
          return;
        }
        if (closed) {
          source.disconnect();
          return;
        }
        if (!joined) {
          return; // the first connect; join() subscribes
        }
        source.subscribe(topics.roomFilter(), topics.willFilter(), topics.inboxFilter())
            .whenComplete((ignored, error) -> resubscribed(source, error));
      } catch (Throwable t) {
        log.warn("MQTT connected callback failed", t);
      }
    }

    private void resubscribed(MqttLink source, Throwable error) {
      try {
        if (source != link || closed) {
          return;
        }
        if (error != null) {
          // Mostly the connection dropping again, and HiveMQ is already reconnecting then. A
          // broker that refuses the subscription outright leaves us suspended, and says so.
          log.warn("subscribing again at {} failed: {}; still suspended", endpoint,
              describe(unwrap(error)));
          return;
        }
        synchronized (MqttSignalingTransport.this) {
          if (closed || state != TransportState.SUSPENDED) {
            return;
          }
          state = TransportState.RECONNECTED;
        }
        log.info("reconnected to {}", endpoint);
        notifyState(TransportState.RECONNECTED);
      } catch (Throwable t) {
        log.warn("MQTT resubscribe callback failed", t);
      }
    }

    @Override
    public void disconnected(MqttLink source, MqttClientDisconnectedContext context) {
      try {
        MqttClientReconnector reconnector = context.getReconnector();
        connectionLosses.incrementAndGet();
        if (source != link || closed || !joined) {
          // Closing, superseded, or the initial connect failing: join() reports that, no retries.
          reconnector.reconnect(false);
          return;
        }
        long delay = backoff(reconnector.getAttempts());
        // Clean start: the broker forgot our subscriptions. We subscribe again ourselves once
        // connected, so HiveMQ must not replay them (nor old publications).
        reconnector.reconnect(true)
            .resubscribeIfSessionExpired(false)
            .resubscribeIfSessionPresent(false)
            .republishIfSessionExpired(false)
            .delay(delay, TimeUnit.MILLISECONDS);
        boolean changed;
        synchronized (MqttSignalingTransport.this) {
          changed = !closed && state != TransportState.SUSPENDED;
          if (changed) {
            state = TransportState.SUSPENDED;
          }
        }
        if (changed) {
          log.info("lost the MQTT broker at {} ({}); reconnecting", endpoint,
              describe(context.getCause()));
          notifyState(TransportState.SUSPENDED);
        } else {
          log.debug("reconnect attempt {} to {} failed ({}); next in {} ms",
              reconnector.getAttempts(), endpoint, describe(context.getCause()), delay);
        }
      } catch (Throwable t) {
        log.warn("MQTT disconnected callback failed", t);
      }
    }

    @Override
    public void publication(MqttLink source, String topic, ByteBuffer payload) {
      try {
        SignalingListener current = listener;
        Topics layout = topics;
        if (source != link || closed || current == null || layout == null) {
          return;
        }
        if (!layout.isSubscribed(topic)) {
          log.debug("dropping a publication on unexpected topic {}", topic);
          return;
        }
        if (layout.isOwnPublication(topic)) {
          return;
        }
        int size = payload == null ? 0 : payload.remaining();
        if (size == 0) {
          log.debug("dropping an empty publication on {}", topic);
          return;
        }
        if (size > EnvelopeCodec.MAX_BYTES) {
          log.debug("dropping a publication of {} bytes on {}: over the limit of {}", size, topic,
              EnvelopeCodec.MAX_BYTES);
          return;
        }
        byte[] bytes = new byte[size];
        payload.duplicate().get(bytes);
        if (layout.isWill(topic)) {
          long losses = connectionLosses.get();
          CompletableFuture.delayedExecutor(WILL_GRACE_MS, TimeUnit.MILLISECONDS)
              .execute(() -> deliverWill(source, topic, bytes, losses));
          return;
        }
        current.onPayload(bytes);
      } catch (Throwable t) {
        log.warn("signaling listener failed on a publication on {}", topic, t);
      }
    }

    private void deliverWill(MqttLink source, String topic, byte[] bytes, long lossesBefore) {
      try {
        SignalingListener current = listener;
        if (source != link || closed || current == null) {
          return;
        }
        if (connectionLosses.get() != lossesBefore) {
          log.debug("dropping the will on {}: the broker went away right after sending it", topic);
          return;
        }
        current.onPayload(bytes);
      } catch (Throwable t) {
        log.warn("signaling listener failed on a will on {}", topic, t);
      }
    }
  }

  static long backoff(int attempts) {
    long delay = RECONNECT_INITIAL_DELAY_MS << Math.min(Math.max(attempts, 0), 10);
    delay = Math.min(delay, RECONNECT_MAX_DELAY_MS);
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Math.max(50, (long) (delay * jitter));
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Failures that retrying with another MQTT version cannot fix (network, TLS, refusals). */
  private static boolean isUnreachable(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException || t instanceof TimeoutException
          || t instanceof javax.net.ssl.SSLException) {
        return true;
      }
      if (t instanceof Mqtt5ConnAckException ack) {
        // The broker speaks MQTT 5 and refused us for another reason (credentials, client id).
        return ack.getMqttMessage().getReasonCode()
            != com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode
                .UNSUPPORTED_PROTOCOL_VERSION;
      }
      if (t instanceof com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException ack) {
        // Likewise for MQTT 3.1.1.
        return ack.getMqttMessage().getReturnCode()
            != com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode
                .UNSUPPORTED_PROTOCOL_VERSION;
      }
    }
    return false;
  }

  private static String hint(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return " (connection refused: is the broker running and is the port right?)";
      }
      if (t instanceof UnknownHostException) {
        return " (unknown host)";
      }
      if (isAuthRefusal(t)) {
        return " (check the username and password options)";
      }
      if (t instanceof javax.net.ssl.SSLHandshakeException) {
        return " (TLS handshake failed: is the broker's certificate trusted by this JVM, and is"
            + " this a TLS port?)";
      }
    }
    return "";
  }

  private static boolean isAuthRefusal(Throwable t) {
    if (t instanceof Mqtt5ConnAckException ack) {
      var code = ack.getMqttMessage().getReasonCode();
      return code == com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode
              .NOT_AUTHORIZED
          || code == com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode
              .BAD_USER_NAME_OR_PASSWORD;
    }
    if (t instanceof com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException ack) {
      var code = ack.getMqttMessage().getReturnCode();
      return code == com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode
              .NOT_AUTHORIZED
          || code == com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode
              .BAD_USER_NAME_OR_PASSWORD;
    }
    return false;
  }

  static String describe(Throwable cause) {
    if (cause == null) {
      return "no cause";
    }
    String message = cause.getMessage();
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    if (root != cause && root.getMessage() != null) {
      text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return text;
  }
}
