package io.rtchat.server.chat;

/**
 * What a {@link ChatRoom} needs from a scale-out backplane shared by several server instances
 * (implemented over MQTT by {@code io.rtchat.server.backplane.MqttBackplane}). Every call is made
 * with the room's lock held and must not block; events of one kind reach the other instances in
 * the order they were published. Without a backplane the room has none of this and no cost.
 */
public interface Backplane {

  /** This instance's unique id. */
  String instanceId();

  /** Replaces this instance's retained presence: the JSON state of its local users. */
  void publishPresence(String json);

  /** One event for every other instance. */
  void broadcast(String json);

  /** One event for {@code instance} only. */
  void send(String instance, String json);
}
