package io.rtchat.bench;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon thread factories, so that a benchmark never keeps the JVM alive. */
final class Daemon {

  private Daemon() {}

  static ThreadFactory named(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, "bench-" + prefix + "-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
