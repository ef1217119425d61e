package io.rtchat.signal.ws;

import java.util.function.LongSupplier;

/** Classic token bucket: holds up to {@code capacity} tokens, refilled at {@code perSecond}. */
final class TokenBucket {

  private final double capacity;
  private final double perNano;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  TokenBucket(double capacity, double perSecond, LongSupplier nanoClock) {
    this.capacity = capacity;
    this.perNano = perSecond / 1e9;
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.last = nanoClock.getAsLong();
  }

  /** Takes one token if there is one. */
  synchronized boolean tryTake() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
