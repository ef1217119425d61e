package io.rtchat.signal.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Delays that run only when a test says so. */
final class ManualDelays implements Delays {
  private final List<Runnable> pending = new ArrayList<>();

  @Override
  public synchronized Runnable schedule(Runnable task, Duration delay) {
    pending.add(task);
    return () -> {
      synchronized (this) {
        pending.remove(task);
      }
    };
  }

  @Override
  public synchronized void shutdown() {
    pending.clear();
  }

  synchronized int pending() {
    return pending.size();
  }

  /** Runs everything scheduled so far, as if its time had come. */
  void elapse() {
    List<Runnable> due;
    synchronized (this) {
      due = List.copyOf(pending);
      pending.clear();
    }
    due.forEach(Runnable::run);
  }
}
