package io.rtchat.core.auth;

/**
 * Outcome of {@link PeerAuthenticator#authenticate}.
 *
 * @param accepted whether the session may go on
 * @param fingerprint the remote peer's key fingerprint, when it has a key
 * @param verified whether the remote peer proved the key belongs to this connection and is trusted
 * @param reason why a session was rejected, or a note on an unverified one
 */
public record AuthResult(boolean accepted, String fingerprint, boolean verified, String reason) {

  public static AuthResult verified(String fingerprint) {
    return new AuthResult(true, fingerprint, true, null);
  }

  public static AuthResult unverified(String fingerprint) {
    return new AuthResult(true, fingerprint, false, null);
  }

  public static AuthResult rejected(String reason) {
    return new AuthResult(false, null, false, reason);
  }
}
