package io.rtchat.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The session protocol on the data channel (see PROTOCOL.md): JSON text frames for control and
 * chat, binary frames of a 4-byte stream id followed by content for streams.
 */
final class Frames {

  static final String CHAT = "m";
  static final String ASK = "q";
  static final String ANSWER = "a";
  static final String ERROR = "e";
  static final String STREAM_START = "fs";
  static final String STREAM_END = "fe";
  static final String STREAM_RESULT = "fr";
  static final String AUTH = "auth";
  static final String BYE = "bye";

  static final int STREAM_HEADER_BYTES = 4;
  /** Content bytes per binary frame: frames stay within 16 KiB. */
  static final int CHUNK_BYTES = 16 * 1024 - STREAM_HEADER_BYTES;

  static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build());

  private Frames() {}

  static ObjectNode frame(String type) {
    return JSON.createObjectNode().put("t", type);
  }

  static byte[] encode(ObjectNode frame) {
    try {
      return JSON.writeValueAsBytes(frame);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode frame: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses a text frame.
   *
   * @throws IllegalArgumentException when it is not a JSON object with a string {@code t}
   */
  static JsonNode decode(byte[] data) {
    JsonNode node;
    try {
      node = JSON.readTree(data);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("frame is not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject() || !node.path("t").isTextual()) {
      throw new IllegalArgumentException("frame is not an object with a string field t");
    }
    return node;
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  static byte[] chunk(int streamId, byte[] content, int length) {
    return ByteBuffer.allocate(STREAM_HEADER_BYTES + length).putInt(streamId)
        .put(content, 0, length).array();
  }

  static String text(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }
}
