package io.rtchat.core.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides who is on the other end of a fresh connection. Runs once per session, after the data
 * channel opens and before the session is handed to the application; a rejection closes the
 * session with the given reason. rtchat-identity implements it with keys and challenges bound to
 * the connection's DTLS fingerprints.
 */
@FunctionalInterface
public interface PeerAuthenticator {

  /** Accepts every peer, unverified. */
  PeerAuthenticator NONE = exchange -> CompletableFuture.completedFuture(AuthResult.unverified(null));

  CompletionStage<AuthResult> authenticate(AuthExchange exchange);
}
