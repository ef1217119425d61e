package io.rtchat.identity;

import io.rtchat.core.signal.EnvelopeSealer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Passes everything to another sealer and records why payloads were dropped. */
final class CountingSealer implements EnvelopeSealer {

  final BlockingQueue<String> drops = new LinkedBlockingQueue<>();
  private final EnvelopeSealer inner;

  CountingSealer(EnvelopeSealer inner) {
    this.inner = inner;
  }

  @Override
  public byte[] seal(byte[] envelope) {
    return inner.seal(envelope);
  }

  @Override
  public byte[] open(byte[] sealed) throws RejectedEnvelopeException {
    try {
      return inner.open(sealed);
    } catch (RejectedEnvelopeException e) {
      drops.add(e.getMessage());
      throw e;
    }
  }
}
