package io.rtchat.server.chat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** Chat counters: connections, messages in/out, drops, queue overflows (exported at /metrics). */
public final class ChatMetrics {
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger users = new AtomicInteger();
  final Counter messagesIn;
  final Counter messagesOut;
  final Counter dropped;
  final Counter queueOverflows;
  final Counter badFrames;
  final Counter rateLimited;
  final Counter logins;

  public ChatMetrics(MeterRegistry registry) {
    registry.gauge("rtchat.connections", connections);
    registry.gauge("rtchat.users", users);
    messagesIn = Counter.builder("rtchat.messages.in").description("frames received from clients").register(registry);
    messagesOut = Counter.builder("rtchat.messages.out").description("frames queued to clients").register(registry);
    dropped = Counter.builder("rtchat.messages.dropped").description("frames dropped (closed or slow clients)").register(registry);
    queueOverflows = Counter.builder("rtchat.queue.overflows").description("clients closed for a full send queue").register(registry);
    badFrames = Counter.builder("rtchat.frames.rejected").description("malformed, binary or invalid frames").register(registry);
    rateLimited = Counter.builder("rtchat.frames.ratelimited").description("frames refused by the rate limit").register(registry);
    logins = Counter.builder("rtchat.logins").description("successful logins").register(registry);
  }

  public void queueOverflow() {
    queueOverflows.increment();
  }

  public void dropped() {
    dropped.increment();
  }

  public int connections() {
    return connections.get();
  }

  public double queueOverflowCount() {
    return queueOverflows.count();
  }
}
