package io.rtchat.core.dialect;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The questions a session has asked and still waits for, by the number its wire gives each: an
 * answer completes its question; a failed send, a timeout or the session's end fails it. Each
 * question leaves as soon as it completes, however it completes. Thread-safe.
 *
 * @param <A> what an answer is on the wire
 */
public final class PendingAnswers<A> {

  private final Map<Long, CompletableFuture<A>> waiting = new ConcurrentHashMap<>();

  /**
   * Waits for the answer to question {@code id}, which {@code send} puts on the wire. The result
   * fails with what {@code send} throws, or with a {@link java.util.concurrent.TimeoutException}
   * when no answer came within {@code timeout}.
   */
  public CompletableFuture<A> ask(long id, Duration timeout, Runnable send) {
    CompletableFuture<A> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    answer.whenComplete((value, error) -> waiting.remove(id));
    try {
      send.run();
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
      return answer;
    }
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Completes question {@code id}; false if none of that number waits (any more). */
  public boolean answer(long id, A answer) {
    CompletableFuture<A> question = waiting.remove(id);
    return question != null && question.complete(answer);
  }

  /** Fails question {@code id} (the remote answered with an error, say); false as {@link #answer}. */
  public boolean fail(long id, Throwable error) {
    CompletableFuture<A> question = waiting.remove(id);
    return question != null && question.completeExceptionally(error);
  }

  /** Fails every question still waiting: the session is over. */
  public void failAll(Throwable error) {
    waiting.values().forEach(question -> question.completeExceptionally(error));
  }

  /** How many questions wait for an answer (for tests: none may stay behind). */
  int size() {
    return waiting.size();
  }
}
