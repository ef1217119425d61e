package io.rtchat.core.signal;

import java.util.Objects;

/**
 * What a transport needs to know to join a room.
 *
 * @param room the room (topic, relay room) to join
 * @param peerName the joining peer's name, for backends that route by name
 * @param goodbye payload the backend should publish to the room if this peer vanishes without
 *     closing (an MQTT last will), or {@code null}
 */
public record JoinSpec(String room, String peerName, byte[] goodbye) {
  public JoinSpec {
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(peerName, "peerName");
  }
}
