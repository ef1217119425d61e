package io.rtchat.core.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.signal.EnvelopeCodec.MalformedEnvelopeException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeCodecTest {

  @Test
  void envelopesRoundTripInCompactJson() {
    Envelope offer = new Envelope(Envelope.Kind.OFFER, "lobby", "alice", "x7Gq", "bob", "c1;u;p");

    byte[] encoded = EnvelopeCodec.encode(offer);

    assertThat(new String(encoded, StandardCharsets.UTF_8))
        .isEqualTo("{\"k\":\"o\",\"r\":\"lobby\",\"f\":\"alice\",\"i\":\"x7Gq\",\"t\":\"bob\",\"b\":\"c1;u;p\"}");
    assertThat(EnvelopeCodec.decode(encoded)).isEqualTo(offer);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "null", "[]", "\"text\"", "{", "{\"k\":\"a\"}", "{\"k\":\"q\",\"r\":\"r\",\"f\":\"a\",\"i\":\"1\"}",
      "{\"k\":\"a\",\"r\":\"r\",\"f\":1,\"i\":\"1\"}", "{\"k\":\"a\",\"r\":\"r\",\"f\":\"a\",\"i\":\"1\",\"x\":\"y\"}",
      "{\"k\":\"a\",\"r\":\"r\",\"f\":\" \",\"i\":\"1\"}", "{\"k\":\"a\",\"r\":\"r\",\"f\":\"a\",\"i\":\"1\"} trailing",
      "{\"k\":\"a\",\"r\":\"r\",\"f\":\"a\",\"i\":{\"deep\":1}}"})
  void malformedEnvelopesAreRejectedWithAReason(String input) {
    assertThatThrownBy(() -> EnvelopeCodec.decode(input.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageNotContaining("Exception");
  }

  @Test
  void oversizeInputIsRejectedBeforeParsing() {
    byte[] huge = new byte[EnvelopeCodec.MAX_BYTES + 1];

    assertThatThrownBy(() -> EnvelopeCodec.decode(huge)).hasMessageContaining("exceeds the limit");
  }
}
