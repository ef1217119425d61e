package io.rtchat.core.signal;

import java.util.Objects;

/**
 * One signaling message of the native dialect. See {@code PROTOCOL.md} in this module for the wire
 * form and the exchange.
 *
 * @param kind what the envelope carries
 * @param room the sender's room; envelopes of other rooms are ignored
 * @param from the sender's name
 * @param instance random id of the sender's current join, so a restarted peer of the same name is
 *     told apart from the old one
 * @param to the target peer, or {@code null} for the whole room
 * @param body the kind's content: compact SDP, a candidate, a reason, or {@code null}
 */
public record Envelope(Kind kind, String room, String from, String instance, String to, String body) {

  public Envelope {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(instance, "instance");
  }

  /** Envelope kinds with their one-letter wire codes. */
  public enum Kind {
    ANNOUNCE("a"),
    OFFER("o"),
    ANSWER("n"),
    CANDIDATE("c"),
    BYE("b");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }

    static Kind ofCode(String code) {
      for (Kind kind : values()) {
        if (kind.code.equals(code)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("unknown envelope kind '" + code + "'");
    }
  }
}
