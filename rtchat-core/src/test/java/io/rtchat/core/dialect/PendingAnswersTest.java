package io.rtchat.core.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class PendingAnswersTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  private final PendingAnswers<String> questions = new PendingAnswers<>();

  @Test
  void anAnswerCompletesItsQuestionOnlyOnce() throws Exception {
    CompletableFuture<String> first = questions.ask(1, LONG, () -> { });
    CompletableFuture<String> second = questions.ask(2, LONG, () -> { });

    assertThat(questions.answer(2, "two")).isTrue();
    assertThat(questions.answer(2, "again")).isFalse();
    assertThat(questions.answer(3, "never asked")).isFalse();

    assertThat(second.get(1, TimeUnit.SECONDS)).isEqualTo("two");
    assertThat(first).isNotDone();
    assertThat(questions.size()).isOne();
  }

  @Test
  void aRemoteErrorFailsItsQuestion() {
    CompletableFuture<String> question = questions.ask(7, LONG, () -> { });

    assertThat(questions.fail(7, new IllegalStateException("no such topic"))).isTrue();

    assertThatThrownBy(() -> question.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("no such topic");
    assertThat(questions.size()).isZero();
  }

  @Test
  void aFailedSendFailsTheQuestionAtOnce() {
    CompletableFuture<String> question = questions.ask(1, LONG, () -> {
      throw new IllegalStateException("session closed");
    });

    assertThat(question).isCompletedExceptionally();
    assertThat(questions.size()).isZero();
  }

  @Test
  void anUnansweredQuestionTimesOutAndLeaves() {
    CompletableFuture<String> question = questions.ask(1, Duration.ofMillis(50), () -> { });

    assertThatThrownBy(() -> question.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    assertThat(questions.size()).isZero();
    assertThat(questions.answer(1, "too late")).isFalse();
  }

  @Test
  void failAllFailsEveryWaitingQuestion() {
    CompletableFuture<String> first = questions.ask(1, LONG, () -> { });
    CompletableFuture<String> second = questions.ask(2, LONG, () -> { });

    questions.failAll(new IllegalStateException("closed"));

    assertThat(first).isCompletedExceptionally();
    assertThat(second).isCompletedExceptionally();
    assertThat(questions.size()).isZero();
  }
}
