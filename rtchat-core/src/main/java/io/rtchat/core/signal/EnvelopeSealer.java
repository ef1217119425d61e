package io.rtchat.core.signal;

/**
 * Protects signaling envelopes on their way through a broker or relay: signs them, encrypts them,
 * or both (rtchat-identity). Works on encoded envelopes, so transports and relays forward the
 * result unchanged.
 */
public interface EnvelopeSealer {

  /** Leaves envelopes as they are. */
  EnvelopeSealer NONE = new EnvelopeSealer() {
    @Override
    public byte[] seal(byte[] envelope) {
      return envelope;
    }

    @Override
    public byte[] open(byte[] sealed) {
      return sealed;
    }
  };

  /** Wraps an encoded envelope before it is sent. */
  byte[] seal(byte[] envelope);

  /**
   * Unwraps a received payload into the encoded envelope.
   *
   * @throws RejectedEnvelopeException when the payload must be dropped (bad signature, stale
   *     timestamp, wrong password); the peer logs the reason and carries on
   */
  byte[] open(byte[] sealed) throws RejectedEnvelopeException;

  /** A received payload that fails its checks. */
  final class RejectedEnvelopeException extends Exception {
    public RejectedEnvelopeException(String reason) {
      super(reason);
    }
  }
}
