package io.rtchat.core.auth;

import java.util.concurrent.CompletionStage;

/**
 * What an authenticator knows about a connection and how it talks to its counterpart on the other
 * peer. Messages travel on the session's data channel, ahead of any application traffic.
 */
public interface AuthExchange {

  String localName();

  String remoteName();

  String room();

  /** Whether this side sent the offer; lets the two sides take different roles. */
  boolean isOfferer();

  /**
   * DTLS certificate fingerprint from the local description actually applied, as in SDP:
   * {@code sha-256 AB:CD:...}.
   */
  String localDtlsFingerprint();

  /** DTLS certificate fingerprint from the remote description actually applied. */
  String remoteDtlsFingerprint();

  /** Sends one message (at most 16 KiB) to the remote authenticator. */
  void send(String message);

  /**
   * The next message from the remote authenticator. Fails when the session closes or when nothing
   * arrives within the authentication timeout.
   */
  CompletionStage<String> receive();
}
