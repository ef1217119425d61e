package io.rtchat.signal.ws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.rtchat.signal.ws.RelayFrames.MalformedFrameException;
import io.rtchat.signal.ws.RelayFrames.Payload;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What hubs of several server instances tell each other (see {@link RelayFederation}). A member
 * is {@code {"room","name","session","goodbye"|"goodbye64","since"}}; a snapshot is
 * {@code {"epoch","v","members":[member...]}}; an event is a member plus {@code "ev":"join"|"leave"}
 * with the hub's {@code epoch} and membership version {@code v}, or
 * {@code {"ev":"msg","room","from","to","data"|"data64"}}.
 */
final class FederationFrames {

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).build())
      .build();

  private FederationFrames() {}

  /** A peer as the hub that owns its connection describes it. */
  record Member(String room, String name, String session, Payload goodbye, long since) {}

  record Snapshot(String epoch, long version, List<Member> members) {}

  /** One event; the fields that do not apply to its kind are null. */
  record Event(String kind, String epoch, long version, Member member, String room, String from,
      String to, Payload data) {}

  static String snapshot(String epoch, long version, List<Member> members) {
    return RelayFrames.write(json -> {
      json.writeStringField("epoch", epoch);
      json.writeNumberField("v", version);
      json.writeArrayFieldStart("members");
      for (Member member : members) {
        json.writeStartObject();
        writeMember(json, member);
        json.writeEndObject();
      }
      json.writeEndArray();
    });
  }

  static String membership(String kind, String epoch, long version, Member member) {
    return RelayFrames.write(json -> {
      json.writeStringField("ev", kind);
      json.writeStringField("epoch", epoch);
      json.writeNumberField("v", version);
      writeMember(json, member);
    });
  }

  static String message(String room, String from, String to, Payload data) {
    return RelayFrames.write(json -> {
      json.writeStringField("ev", "msg");
      json.writeStringField("room", room);
      json.writeStringField("from", from);
      if (to != null) {
        json.writeStringField("to", to);
      }
      json.writeStringField(data.base64() ? "data64" : "data", data.text());
    });
  }

  static Snapshot parseSnapshot(String text) {
    try (JsonParser json = JSON.createParser(text)) {
      expect(json.nextToken() == JsonToken.START_OBJECT, "snapshot is not a JSON object");
      String epoch = null;
      long version = -1;
      List<Member> members = new ArrayList<>();
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken value = json.nextToken();
        switch (field) {
          case "epoch" -> epoch = string(json, value, field);
          case "v" -> version = number(json, value, field);
          case "members" -> {
            expect(value == JsonToken.START_ARRAY, "'members' must be an array");
            while (json.nextToken() == JsonToken.START_OBJECT) {
              members.add(readMember(json).member());
            }
            expect(json.currentToken() == JsonToken.END_ARRAY, "'members' must hold objects");
          }
          default -> json.skipChildren();
        }
      }
      expect(epoch != null && version >= 0, "snapshot lacks 'epoch' or 'v'");
      return new Snapshot(epoch, version, List.copyOf(members));
    } catch (JsonProcessingException e) {
      throw new MalformedFrameException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedFrameException("unreadable snapshot: " + e.getMessage());
    }
  }

  static Event parseEvent(String text) {
    try (JsonParser json = JSON.createParser(text)) {
      expect(json.nextToken() == JsonToken.START_OBJECT, "event is not a JSON object");
      Fields f = readMember(json);
      expect(f.kind != null, "event lacks 'ev'");
      return switch (f.kind) {
        case "join", "leave" -> {
          expect(f.epoch != null && f.version >= 0, "membership event lacks 'epoch' or 'v'");
          yield new Event(f.kind, f.epoch, f.version, f.member(), null, null, null, null);
        }
        case "msg" -> {
          expect(f.room != null && f.from != null && f.data != null,
              "msg event needs 'room', 'from' and 'data'");
          yield new Event(f.kind, null, -1, null, f.room, f.from, f.to, f.data);
        }
        default -> throw new MalformedFrameException("unknown event '" + f.kind + "'");
      };
    } catch (JsonProcessingException e) {
      throw new MalformedFrameException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedFrameException("unreadable event: " + e.getMessage());
    }
  }

  /** The fields of one flat object, read up to its end. */
  private static final class Fields {
    String kind;
    String epoch;
    long version = -1;
    String room;
    String name;
    String session;
    Payload goodbye;
    long since;
    String from;
    String to;
    Payload data;

    Member member() {
      expect(room != null && name != null, "member lacks 'room' or 'name'");
      return new Member(room, name, session, goodbye, since);
    }
  }

  private static Fields readMember(JsonParser json) throws IOException {
    Fields f = new Fields();
    while (json.nextToken() == JsonToken.FIELD_NAME) {
      String field = json.currentName();
      JsonToken value = json.nextToken();
      switch (field) {
        case "ev" -> f.kind = string(json, value, field);
        case "epoch" -> f.epoch = string(json, value, field);
        case "v" -> f.version = number(json, value, field);
        case "room" -> f.room = string(json, value, field);
        case "name" -> f.name = string(json, value, field);
        case "session" -> f.session = string(json, value, field);
        case "goodbye" -> f.goodbye = new Payload(string(json, value, field), false);
        case "goodbye64" -> f.goodbye = new Payload(string(json, value, field), true);
        case "since" -> f.since = number(json, value, field);
        case "from" -> f.from = string(json, value, field);
        case "to" -> f.to = string(json, value, field);
        case "data" -> f.data = new Payload(string(json, value, field), false);
        case "data64" -> f.data = new Payload(string(json, value, field), true);
        default -> json.skipChildren();
      }
    }
    expect(json.currentToken() == JsonToken.END_OBJECT, "truncated object");
    return f;
  }

  private static void writeMember(JsonGenerator json, Member member) throws IOException {
    json.writeStringField("room", member.room());
    json.writeStringField("name", member.name());
    if (member.session() != null) {
      json.writeStringField("session", member.session());
    }
    Payload goodbye = member.goodbye();
    if (goodbye != null) {
      json.writeStringField(goodbye.base64() ? "goodbye64" : "goodbye", goodbye.text());
    }
    json.writeNumberField("since", member.since());
  }

  private static String string(JsonParser json, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(value == JsonToken.VALUE_STRING, "'" + field + "' must be a string");
    return json.getText();
  }

  private static long number(JsonParser json, JsonToken value, String field) throws IOException {
    expect(value == JsonToken.VALUE_NUMBER_INT, "'" + field + "' must be an integer");
    return json.getLongValue();
  }

  private static void expect(boolean condition, String problem) {
    if (!condition) {
      throw new MalformedFrameException(problem);
    }
  }
}
