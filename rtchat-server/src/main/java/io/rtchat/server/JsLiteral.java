package io.rtchat.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rtchat.server.chat.ChatRoom;

/** JSON that is safe inside an HTML {@code <script>}: {@code < > &} and U+2028/2029 escaped. */
final class JsLiteral {
  private JsLiteral() {}

  static String of(Object value) {
    String json;
    try {
      json = ChatRoom.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return escape(json);
  }

  /** Escapes characters that are only legal inside JSON strings, so the result stays valid JSON. */
  static String escape(String json) {
    StringBuilder sb = new StringBuilder(json.length() + 16);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      switch (c) {
        case '<' -> sb.append("\\u003c");
        case '>' -> sb.append("\\u003e");
        case '&' -> sb.append("\\u0026");
        case '\u2028' -> sb.append("\\u2028");
        case '\u2029' -> sb.append("\\u2029");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
