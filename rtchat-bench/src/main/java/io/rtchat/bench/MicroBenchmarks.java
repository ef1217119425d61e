package io.rtchat.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtchat.core.BenchFrames;
import io.rtchat.core.signal.Envelope;
import io.rtchat.core.signal.EnvelopeCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmarks: the signaling envelope codec and the session frame encoding, each next to
 * plain Jackson data binding of the same fields. Run through {@link MicroBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MicroBenchmarks {

  /** The same fields as {@link Envelope}, with the wire's one-letter names, for plain Jackson. */
  public record PlainEnvelope(String k, String r, String f, String i, String t, String b) {}

  /** The same fields as a question frame, for plain Jackson. */
  public record PlainAsk(String t, long id, String topic, String content) {}

  /** A body of the size and alphabet of a compact offer. */
  static final String BODY = "c1;" + "a".repeat(40) + ";" + "Zm9vYmFy".repeat(20) + ";"
      + "1 udp 2122260223 192.168.1.23 51234 typ host;".repeat(4);

  private final ObjectMapper mapper = new ObjectMapper();
  private final Envelope envelope = new Envelope(Envelope.Kind.OFFER, "lobby", "alice", "x7Gq2bTz",
      "bob", BODY);
  private final PlainEnvelope plainEnvelope = new PlainEnvelope("o", "lobby", "alice", "x7Gq2bTz",
      "bob", BODY);
  private final byte[] envelopeBytes = EnvelopeCodec.encode(envelope);
  private final PlainAsk plainAsk = new PlainAsk("q", 42, "echo", "0123456789abcdef");
  private final byte[] askBytes = BenchFrames.encodeAsk(42, "echo", "0123456789abcdef");

  @Benchmark
  public byte[] envelopeEncodeOurs() {
    return EnvelopeCodec.encode(envelope);
  }

  @Benchmark
  public byte[] envelopeEncodeJackson() throws Exception {
    return mapper.writeValueAsBytes(plainEnvelope);
  }

  @Benchmark
  public Envelope envelopeDecodeOurs() {
    return EnvelopeCodec.decode(envelopeBytes);
  }

  @Benchmark
  public PlainEnvelope envelopeDecodeJackson() throws Exception {
    return mapper.readValue(envelopeBytes, PlainEnvelope.class);
  }

  @Benchmark
  public byte[] frameEncodeOurs() {
    return BenchFrames.encodeAsk(42, "echo", "0123456789abcdef");
  }

  @Benchmark
  public byte[] frameEncodeJackson() throws Exception {
    return mapper.writeValueAsBytes(plainAsk);
  }

  @Benchmark
  public Object frameDecodeOurs() {
    return BenchFrames.decode(askBytes);
  }

  @Benchmark
  public PlainAsk frameDecodeJackson() throws Exception {
    return mapper.readValue(askBytes, PlainAsk.class);
  }
}
