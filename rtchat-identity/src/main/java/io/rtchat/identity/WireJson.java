package io.rtchat.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/** Small, bounded JSON objects of flat string fields, as identity's wire messages use. */
final class WireJson {

  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(4).maxStringLength(64 * 1024).maxNumberLength(32).build())
      .build());

  private WireJson() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode JSON", e);
    }
  }

  /**
   * Parses a JSON object of at most {@code maxChars} characters.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static JsonNode parseObject(String text, int maxChars) {
    if (text == null) {
      throw new IllegalArgumentException("missing message");
    }
    if (text.length() > maxChars) {
      throw new IllegalArgumentException("message of " + text.length() + " characters exceeds " + maxChars);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return node;
  }

  /** A required string field. */
  static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' must be a string");
    }
    return value.asText();
  }

  /** A required base64 field (standard or URL alphabet, padding optional) of bounded size. */
  static byte[] bytes(JsonNode object, String field, int maxBytes) {
    String value = text(object, field);
    if (value.length() > (maxBytes * 4 / 3) + 4) {
      throw new IllegalArgumentException("field '" + field + "' exceeds " + maxBytes + " bytes");
    }
    try {
      return value.indexOf('-') >= 0 || value.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(value) : Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field '" + field + "' is not valid base64");
    }
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
