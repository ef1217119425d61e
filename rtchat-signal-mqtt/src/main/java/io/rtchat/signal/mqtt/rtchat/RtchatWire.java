package io.rtchat.signal.mqtt.rtchat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * RTChat's MQTT payloads (protocols/rtchat-mqtt.md, section 2): one JSON envelope {@code sender},
 * {@code timestamp}, {@code subtopic}, {@code data}, either plain UTF-8 or LZ-String compressed.
 */
final class RtchatWire {

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Largest payload we read; the page's biggest (an offer) is about 1 KB. */
  static final int MAX_PAYLOAD_BYTES = 256 * 1024;

  /** A decoded envelope; {@code data} is never null (JSON null is a NullNode). */
  record Envelope(String sender, String subtopic, JsonNode data, boolean compressed) {}

  private RtchatWire() {}

  /**
   * Encodes an envelope as plain UTF-8 JSON of odd byte length: a compressing page reads an
   * even-length payload as an LZ stream and drops it, so one trailing space is added when needed.
   */
  static byte[] encode(String sender, String subtopic, JsonNode data) {
    ObjectNode envelope = NODES.objectNode();
    envelope.put("sender", sender);
    envelope.put("timestamp", System.currentTimeMillis());
    envelope.put("subtopic", subtopic);
    envelope.set("data", data == null ? NODES.nullNode() : data);
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an RTChat envelope", e);
    }
    if (json.length % 2 == 0) {
      json = Arrays.copyOf(json, json.length + 1);
      json[json.length - 1] = ' ';
    }
    return json;
  }

  /**
   * Decodes a payload: plain JSON when it starts with {@code {} or JSON white space, else an even
   * number of bytes holding big-endian LZ-String units. Returns null for anything unusable.
   */
  static Envelope decode(byte[] payload) {
    if (payload == null || payload.length == 0 || payload.length > MAX_PAYLOAD_BYTES) {
      return null;
    }
    byte first = payload[0];
    boolean plain = first == '{' || first == ' ' || first == '\t' || first == '\n' || first == '\r';
    String text;
    if (plain) {
      text = new String(payload, StandardCharsets.UTF_8);
    } else {
      text = LzString.decompressFromBigEndianBytes(payload);
      if (text == null || text.isEmpty()) {
        return null;
      }
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (tree == null || !tree.isObject()) {
      return null;
    }
    JsonNode sender = tree.get("sender");
    JsonNode subtopic = tree.get("subtopic");
    if (sender == null || !sender.isTextual() || sender.asText().isEmpty()
        || subtopic == null || !subtopic.isTextual()) {
      return null;
    }
    JsonNode data = tree.has("data") ? tree.get("data") : NODES.nullNode();
    return new Envelope(sender.asText(), subtopic.asText(), data, !plain);
  }
}
