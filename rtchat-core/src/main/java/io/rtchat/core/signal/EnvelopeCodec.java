package io.rtchat.core.signal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes {@link Envelope}s as compact JSON with one-letter keys:
 * {@code {"k":"o","r":"lobby","f":"alice","i":"x7Gq","t":"bob","b":"..."}}. Decoding is strict:
 * unknown keys, wrong types and oversize input are errors, never guesses.
 */
public final class EnvelopeCodec {

  /** Largest encoded envelope accepted or produced; transports bound their frames by it too. */
  public static final int MAX_BYTES = 64 * 1024;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength(MAX_BYTES).maxNestingDepth(2).build())
      .build();

  private EnvelopeCodec() {}

  public static byte[] encode(Envelope envelope) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("k", envelope.kind().code());
      json.writeStringField("r", envelope.room());
      json.writeStringField("f", envelope.from());
      json.writeStringField("i", envelope.instance());
      if (envelope.to() != null) {
        json.writeStringField("t", envelope.to());
      }
      if (envelope.body() != null) {
        json.writeStringField("b", envelope.body());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = out.toByteArray();
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          "envelope of " + bytes.length + " bytes exceeds the limit of " + MAX_BYTES);
    }
    return bytes;
  }

  /**
   * Decodes one envelope.
   *
   * @throws MalformedEnvelopeException saying what is wrong
   */
  public static Envelope decode(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw new MalformedEnvelopeException(
          "envelope of " + bytes.length + " bytes exceeds the limit of " + MAX_BYTES);
    }
    String kind = null;
    String room = null;
    String from = null;
    String instance = null;
    String to = null;
    String body = null;
    try (JsonParser json = JSON.createParser(bytes)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedEnvelopeException("envelope is not a JSON object");
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        if (json.nextToken() != JsonToken.VALUE_STRING) {
          throw new MalformedEnvelopeException("field '" + field + "' must be a string");
        }
        String value = json.getText();
        switch (field) {
          case "k" -> kind = value;
          case "r" -> room = value;
          case "f" -> from = value;
          case "i" -> instance = value;
          case "t" -> to = value;
          case "b" -> body = value;
          default -> throw new MalformedEnvelopeException("unknown field '" + field + "'");
        }
      }
      if (json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
        throw new MalformedEnvelopeException("trailing content after the envelope object");
      }
    } catch (JsonProcessingException e) {
      throw new MalformedEnvelopeException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedEnvelopeException("unreadable envelope: " + e.getMessage());
    }
    if (kind == null || room == null || from == null || instance == null) {
      throw new MalformedEnvelopeException("envelope lacks one of the fields k, r, f, i");
    }
    if (from.isBlank()) {
      throw new MalformedEnvelopeException("sender name is blank");
    }
    try {
      return new Envelope(Envelope.Kind.ofCode(kind), room, from, instance, to, body);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(e.getMessage());
    }
  }

  /** A payload that is not a valid envelope. */
  public static final class MalformedEnvelopeException extends RuntimeException {
    public MalformedEnvelopeException(String message) {
      super(message);
    }
  }
}
