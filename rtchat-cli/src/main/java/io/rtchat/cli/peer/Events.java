package io.rtchat.cli.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What {@code rtchat peer} prints on stdout: with {@code --json} exactly one JSON object per line
 * (Jackson), otherwise one human-readable line per event. Thread-safe; every line is flushed.
 */
final class Events {

  private final ObjectMapper mapper;
  private final PrintStream out;
  private final boolean json;

  Events(ObjectMapper mapper, PrintStream out, boolean json) {
    this.mapper = mapper;
    this.out = out;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  /** A new event object with its {@code event} field set. */
  ObjectNode event(String name) {
    return mapper.createObjectNode().put("event", name);
  }

  /** Prints the event as JSON, or {@code human} without {@code --json}. */
  void emit(ObjectNode event, String human) {
    byte[] line;
    if (json) {
      try {
        line = mapper.writeValueAsBytes(event);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot encode an event", e);
      }
    } else {
      line = human.replaceAll("\\R", " ").getBytes(StandardCharsets.UTF_8);
    }
    synchronized (this) {
      out.write(line, 0, line.length);
      out.write('\n');
      out.flush();
    }
  }

  void error(String message) {
    emit(event("error").put("message", message), "! error: " + message);
  }

  void warning(ObjectNode event, String message) {
    event.put("message", message);
    emit(event, "! warning: " + message);
  }

  void flush() {
    synchronized (this) {
      out.flush();
    }
  }
}
