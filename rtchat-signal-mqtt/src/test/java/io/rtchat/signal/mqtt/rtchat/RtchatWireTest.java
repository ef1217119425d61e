package io.rtchat.signal.mqtt.rtchat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RtchatWireTest {

  /** Section 2.2's vector: compressToUint8Array of a 104-character connect envelope. */
  static final String VECTOR_JSON = "{\"sender\":\"Zed\",\"timestamp\":1764100000000,"
      + "\"subtopic\":\"connect\",\"data\":{\"publicKeyString\":\"test-vector\"}}";
  static final byte[] VECTOR = HexFormat.of().parseHex(
      "378220ce0a6076026104e20170805a1188034200b812c05b08c5c043420076404601d8036005868019d8fd9cc015c0235c01"
      + "ed2be00c6c8428c150a0451b9b081865cb25095f801b3101a42004f00cab9e3e2801cc26e12b802d003739431005f1740000");

  @Test
  void lzStringDecodesTheSpecVector() {
    assertThat(VECTOR).hasSize(100);
    assertThat(LzString.decompressFromBigEndianBytes(VECTOR)).isEqualTo(VECTOR_JSON);
  }

  @Test
  void compressedPayloadBecomesAnEnvelope() {
    RtchatWire.Envelope envelope = RtchatWire.decode(VECTOR);
    assertThat(envelope.sender()).isEqualTo("Zed");
    assertThat(envelope.subtopic()).isEqualTo("connect");
    assertThat(envelope.data().get("publicKeyString").asText()).isEqualTo("test-vector");
    assertThat(envelope.compressed()).isTrue();
  }

  @Test
  void plainPayloadsOfBothParitiesAreRead() {
    String odd = "{\"sender\":\"Bob\",\"timestamp\":1,\"subtopic\":\"unload\",\"data\":\"disconnecting\"}";
    String even = odd.replace("\"Bob\"", "\"Bo\"");
    assertThat(odd.length() % 2).isEqualTo(1);
    assertThat(even.length() % 2).isEqualTo(0);
    assertThat(RtchatWire.decode(odd.getBytes(StandardCharsets.UTF_8)).sender()).isEqualTo("Bob");
    assertThat(RtchatWire.decode(even.getBytes(StandardCharsets.UTF_8)).sender()).isEqualTo("Bo");
    assertThat(RtchatWire.decode(("\n" + odd).getBytes(StandardCharsets.UTF_8)).compressed()).isFalse();
  }

  @Test
  void everyEncodedPayloadHasOddLengthWithTheSpaceAtTheEnd() {
    // Section 2.2's example: 90 bytes become 91.
    for (String sender : new String[] {"JavaBot1", "JavaBot12", "J", "Jö"}) {
      byte[] payload = RtchatWire.encode(sender, "unload", TextNode.valueOf("disconnecting"));
      assertThat(payload.length % 2).as(sender).isEqualTo(1);
      assertThat(payload[0]).isEqualTo((byte) '{');
      String text = new String(payload, StandardCharsets.UTF_8);
      assertThat(text.strip()).endsWith("}");
      assertThat(text).startsWith("{\"sender\":\"" + sender + "\",\"timestamp\":");
      assertThat(text).contains(",\"subtopic\":\"unload\",\"data\":\"disconnecting\"}");
      assertThat(RtchatWire.decode(payload).sender()).isEqualTo(sender);
    }
    byte[] ninety = RtchatWire.encode("JavaBot1", "unload", TextNode.valueOf("disconnecting"));
    assertThat(ninety).hasSize(91);
    assertThat(ninety[90]).isEqualTo((byte) ' ');
  }

  @Test
  void unusablePayloadsAreDropped() {
    assertThat(RtchatWire.decode(new byte[0])).isNull();
    assertThat(RtchatWire.decode(new byte[] {0x37})).isNull(); // odd and not plain
    assertThat(RtchatWire.decode("[1,2]".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(RtchatWire.decode("{\"subtopic\":\"connect\"}".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(RtchatWire.decode("{\"sender\":\"\",\"subtopic\":\"x\"}".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(RtchatWire.decode(HexFormat.of().parseHex("ffffffffffffffff"))).isNull();
    assertThat(LzString.decompress("")).isEmpty();
  }
}
