package io.rtchat.signal.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * The topic layout of one room. Room and peer names become single topic levels: every byte other
 * than {@code A-Z a-z 0-9 - . _ ~} is percent-encoded, so a name can neither add levels
 * ({@code /}), act as a wildcard ({@code + #}), start a system topic ({@code $}) nor collide with
 * another name.
 *
 * <pre>
 * rtchat/v1/ROOM/from/SENDER   payloads for the whole room
 * rtchat/v1/ROOM/will/SENDER   the sender's last will (its goodbye), published by the broker
 * rtchat/v1/ROOM/to/TARGET     payloads for one peer
 * </pre>
 *
 * A peer subscribes to {@code rtchat/v1/ROOM/from/+}, {@code rtchat/v1/ROOM/will/+} and
 * {@code rtchat/v1/ROOM/to/SELF}. The sender level lets it drop its own room publications without
 * MQTT 5's no-local option, which MQTT 3.1.1 lacks; the will level lets it tell wills apart (see
 * {@link MqttSignalingTransport}).
 */
final class Topics {

  static final String PREFIX = "rtchat/v1/";
  /** Longest room or peer name accepted, in UTF-8 bytes before escaping. */
  static final int MAX_NAME_BYTES = 128;

  private final String roomLevel;
  private final String selfLevel;

  Topics(String room, String peerName) {
    this.roomLevel = escape("room", room);
    this.selfLevel = escape("peer name", peerName);
  }

  /** Where this peer publishes payloads for the whole room. */
  String roomPublish() {
    return PREFIX + roomLevel + "/from/" + selfLevel;
  }

  /** Where this peer publishes a payload for {@code target}. */
  String targeted(String target) {
    return PREFIX + roomLevel + "/to/" + escape("target peer name", target);
  }

  /** Where the broker publishes this peer's will. */
  String willPublish() {
    return PREFIX + roomLevel + "/will/" + selfLevel;
  }

  String roomFilter() {
    return PREFIX + roomLevel + "/from/+";
  }

  String willFilter() {
    return PREFIX + roomLevel + "/will/+";
  }

  String inboxFilter() {
    return PREFIX + roomLevel + "/to/" + selfLevel;
  }

  /** True when {@code topic} is one of this peer's own publications (echoed by the broker). */
  boolean isOwnPublication(String topic) {
    return topic.equals(roomPublish()) || topic.equals(willPublish());
  }

  /** True when {@code topic} carries some peer's will. */
  boolean isWill(String topic) {
    return isSenderLevel(topic, PREFIX + roomLevel + "/will/");
  }

  /** True when {@code topic} is one this peer subscribed to (brokers may send more). */
  boolean isSubscribed(String topic) {
    return topic.equals(inboxFilter())
        || isSenderLevel(topic, PREFIX + roomLevel + "/from/")
        || isSenderLevel(topic, PREFIX + roomLevel + "/will/");
  }

  private static boolean isSenderLevel(String topic, String prefix) {
    return topic.startsWith(prefix) && topic.length() > prefix.length()
        && topic.indexOf('/', prefix.length()) < 0;
  }

  /**
   * Escapes one name into one topic level.
   *
   * @throws IllegalArgumentException when the name is empty or too long
   */
  static String escape(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          what + " '" + name.substring(0, 16) + "...' is longer than " + MAX_NAME_BYTES + " bytes");
    }
    StringBuilder out = new StringBuilder(utf8.length + 8);
    for (byte b : utf8) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
