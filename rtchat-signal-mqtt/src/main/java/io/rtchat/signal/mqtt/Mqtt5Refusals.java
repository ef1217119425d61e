package io.rtchat.signal.mqtt;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Brokers that refused MQTT 5 and took MQTT 3.1.1 (Moquette, older public brokers), so that later
 * joins in this process go to MQTT 3.1.1 at once instead of paying a refused connection each (which
 * the broker may log as a warning).
 *
 * <p>Static on purpose: a transport is created per join through {@link java.util.ServiceLoader},
 * and what one join learnt must outlive it. Bounded in size and time; an entry also goes when an
 * {@link EmbeddedBroker} on its port closes, because another broker may take the port.
 */
final class Mqtt5Refusals {

  static final int MAX_BROKERS = 256;
  static final long REMEMBER_NANOS = TimeUnit.HOURS.toNanos(1);

  private record Refusal(int port, long atNanos) {}

  /** Keyed by the endpoint without credentials; least recently used first. */
  private static final Map<String, Refusal> REFUSALS = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Refusal> eldest) {
      return size() > MAX_BROKERS;
    }
  };

  private Mqtt5Refusals() {}

  static synchronized void remember(MqttEndpoint broker) {
    REFUSALS.put(broker.toString(), new Refusal(broker.port(), System.nanoTime()));
  }

  static synchronized boolean refused(MqttEndpoint broker) {
    Refusal refusal = REFUSALS.get(broker.toString());
    if (refusal != null && System.nanoTime() - refusal.atNanos() > REMEMBER_NANOS) {
      REFUSALS.remove(broker.toString());
      return false;
    }
    return refusal != null;
  }

  static synchronized void forget(MqttEndpoint broker) {
    REFUSALS.remove(broker.toString());
  }

  /** Forgets every broker on {@code port}, whatever host name it was reached by. */
  static synchronized void forgetPort(int port) {
    REFUSALS.values().removeIf(refusal -> refusal.port() == port);
  }
}
