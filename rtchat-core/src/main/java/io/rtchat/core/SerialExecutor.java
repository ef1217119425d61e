package io.rtchat.core;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in order, on a shared pool. The queue is bounded: a producer that
 * outruns it gets {@link RejectedExecutionException} instead of unbounded memory growth.
 */
final class SerialExecutor implements Executor {

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor pool;
  private final int capacity;
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private boolean running;
  private boolean shutdown;

  SerialExecutor(Executor pool, int capacity) {
    this.pool = pool;
    this.capacity = capacity;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (shutdown) {
        return;
      }
      if (tasks.size() >= capacity) {
        throw new RejectedExecutionException("queue of " + capacity + " tasks is full");
      }
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    pool.execute(this::drain);
  }

  /** Drops queued tasks and accepts no more. */
  synchronized void shutdown() {
    shutdown = true;
    tasks.clear();
  }

  private void drain() {
    while (true) {
      Runnable task;
      synchronized (this) {
        task = tasks.poll();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        task.run();
      } catch (Throwable t) {
        log.warn("task failed", t);
      }
    }
  }
}
