package io.rtchat.signal.ws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON frames of the relay protocol (see {@code PROTOCOL.md}). Routing fields sit next to the
 * opaque payload, which travels as a JSON string ({@code data}) or, when it is not UTF-8, as base64
 * ({@code data64}); the relay copies that string without looking into it.
 */
final class RelayFrames {

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build())
      .build();

  private RelayFrames() {}

  /** An opaque payload as it travels in a frame: UTF-8 text, or base64 of arbitrary bytes. */
  record Payload(String text, boolean base64) {

    static Payload of(byte[] bytes) {
      try {
        String text = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
        return new Payload(text, false);
      } catch (CharacterCodingException e) {
        return new Payload(Base64.getEncoder().encodeToString(bytes), true);
      }
    }

    byte[] bytes() {
      return base64 ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
    }

    /** The payload carried in field {@code name} or {@code name + "64"}, or {@code null}. */
    static Payload from(Parsed frame, String name) {
      String text = frame.get(name);
      String encoded = frame.get(name + "64");
      if (text != null && encoded != null) {
        throw new MalformedFrameException("frame has both '" + name + "' and '" + name + "64'");
      }
      if (encoded != null) {
        try {
          Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
          throw new MalformedFrameException("'" + name + "64' is not valid base64");
        }
        return new Payload(encoded, true);
      }
      return text == null ? null : new Payload(text, false);
    }
  }

  /** A frame that is not valid JSON or not shaped as the protocol says. */
  static final class MalformedFrameException extends RuntimeException {
    MalformedFrameException(String message) {
      super(message);
    }
  }

  /** The string fields of one frame plus the optional {@code peers} list. */
  record Parsed(Map<String, String> fields, List<String> peers) {
    String get(String name) {
      return fields.get(name);
    }

    String op() {
      return fields.get("op");
    }
  }

  /**
   * Parses one frame: a JSON object whose known fields are strings or null ({@code peers}: an array
   * of strings). Unknown fields are skipped so that the protocol can grow.
   */
  static Parsed parse(String frame) {
    Map<String, String> fields = new HashMap<>();
    List<String> peers = null;
    try (JsonParser json = JSON.createParser(frame)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedFrameException("frame is not a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken value = json.nextToken();
        if (field.equals("peers")) {
          peers = readStrings(json, value);
        } else if (!KNOWN.contains(field)) {
          json.skipChildren();
        } else if (value == JsonToken.VALUE_STRING) {
          if (fields.put(field, json.getText()) != null) {
            throw new MalformedFrameException("field '" + field + "' appears twice");
          }
        } else if (value != JsonToken.VALUE_NULL) {
          throw new MalformedFrameException("field '" + field + "' must be a string or null");
        }
      }
      if (json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
        throw new MalformedFrameException("trailing content after the frame object");
      }
    } catch (JsonProcessingException e) {
      throw new MalformedFrameException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedFrameException("unreadable frame: " + e.getMessage());
    }
    return new Parsed(fields, peers == null ? List.of() : List.copyOf(peers));
  }

  private static final java.util.Set<String> KNOWN = java.util.Set.of(
      "op", "room", "name", "token", "session", "goodbye", "goodbye64", "to", "data", "data64",
      "from", "code", "message");

  private static List<String> readStrings(JsonParser json, JsonToken start) throws IOException {
    if (start != JsonToken.START_ARRAY) {
      throw new MalformedFrameException("field 'peers' must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    while (json.nextToken() == JsonToken.VALUE_STRING) {
      out.add(json.getText());
    }
    if (json.currentToken() != JsonToken.END_ARRAY) {
      throw new MalformedFrameException("field 'peers' must be an array of strings");
    }
    return out;
  }

  // ---- client -> relay

  static String join(String room, String name, String token, String session, Payload goodbye) {
    return write(json -> {
      json.writeStringField("op", "join");
      json.writeStringField("room", room);
      json.writeStringField("name", name);
      optional(json, "token", token);
      optional(json, "session", session);
      payload(json, "goodbye", goodbye);
    });
  }

  static String send(String to, Payload data) {
    return write(json -> {
      json.writeStringField("op", "send");
      optional(json, "to", to);
      payload(json, "data", data);
    });
  }

  static String leave() {
    return "{\"op\":\"leave\"}";
  }

  // ---- relay -> client

  static String joined(String room, List<String> peers) {
    return write(json -> {
      json.writeStringField("op", "joined");
      json.writeStringField("room", room);
      json.writeArrayFieldStart("peers");
      for (String peer : peers) {
        json.writeString(peer);
      }
      json.writeEndArray();
    });
  }

  static String left() {
    return "{\"op\":\"left\"}";
  }

  static String msg(String from, Payload data) {
    return write(json -> {
      json.writeStringField("op", "msg");
      json.writeStringField("from", from);
      payload(json, "data", data);
    });
  }

  static String presence(String op, String name) {
    return write(json -> {
      json.writeStringField("op", op);
      json.writeStringField("name", name);
    });
  }

  static String error(String code, String message) {
    return write(json -> {
      json.writeStringField("op", "error");
      json.writeStringField("code", code);
      json.writeStringField("message", message);
    });
  }

  /** Bytes of {@code s} in UTF-8, counted without encoding it. */
  static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  private static void optional(JsonGenerator json, String field, String value) throws IOException {
    if (value != null) {
      json.writeStringField(field, value);
    }
  }

  private static void payload(JsonGenerator json, String field, Payload payload)
      throws IOException {
    if (payload != null) {
      json.writeStringField(payload.base64() ? field + "64" : field, payload.text());
    }
  }

  interface Body {
    void write(JsonGenerator json) throws IOException;
  }

  static String write(Body body) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      body.write(json);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
