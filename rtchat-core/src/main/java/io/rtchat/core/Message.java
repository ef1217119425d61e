package io.rtchat.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A chat message: plain text, or JSON sent with {@link PeerSession#sendJson}.
 *
 * @param text the text, or the JSON document as text
 * @param json whether {@code text} is a JSON document
 */
public record Message(String text, boolean json) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Reads a JSON message into {@code type}.
   *
   * @throws IllegalStateException when the message is not JSON or does not fit the type
   */
  public <T> T readJson(Class<T> type) {
    if (!json) {
      throw new IllegalStateException("message is plain text, not JSON");
    }
    try {
      return MAPPER.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("message does not fit " + type.getSimpleName() + ": "
          + e.getOriginalMessage(), e);
    }
  }
}
