package io.rtchat.signal.ws;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs tasks later. The hub's one use of time besides its clock, replaceable in tests. */
interface Delays {

  /** Runs {@code task} after {@code delay}; running the returned handle cancels it. */
  Runnable schedule(Runnable task, Duration delay);

  /** Cancels everything pending and releases threads. */
  void shutdown();

  /** One daemon thread, started on first use. */
  static Delays daemonThread(String name) {
    return new Delays() {
      private ScheduledThreadPoolExecutor executor;

      @Override
      public synchronized Runnable schedule(Runnable task, Duration delay) {
        if (executor == null) {
          executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
          });
          executor.setRemoveOnCancelPolicy(true);
        }
        ScheduledFuture<?> future =
            executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
      }

      @Override
      public synchronized void shutdown() {
        if (executor != null) {
          executor.shutdownNow();
        }
      }
    };
  }
}
