package io.rtchat.core;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Decides, before any WebRTC connection is made, whether to connect with a peer. A refused peer
 * never gets a session. Decisions may take time (ask a human): they are asynchronous.
 */
@FunctionalInterface
public interface ConnectionPolicy {

  CompletionStage<Boolean> decide(ConnectionRequest request);

  static ConnectionPolicy acceptAll() {
    return request -> CompletableFuture.completedFuture(true);
  }

  static ConnectionPolicy rejectAll() {
    return request -> CompletableFuture.completedFuture(false);
  }

  /** Accepts only peers whose names are listed (pair with an authenticator to make names true). */
  static ConnectionPolicy acceptKnown(Set<String> knownNames) {
    Set<String> known = Set.copyOf(knownNames);
    return request -> CompletableFuture.completedFuture(known.contains(request.peerName()));
  }

  /** Asks a callback, e.g. a prompt; the returned stage completes with the decision. */
  static ConnectionPolicy ask(Function<ConnectionRequest, CompletionStage<Boolean>> callback) {
    return callback::apply;
  }
}
