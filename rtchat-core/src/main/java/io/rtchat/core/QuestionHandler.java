package io.rtchat.core;

import java.util.concurrent.CompletionStage;

/** Answers questions of one topic. A failed stage or a thrown exception becomes a remote error. */
@FunctionalInterface
public interface QuestionHandler {
  CompletionStage<String> answer(PeerSession from, String content);
}
