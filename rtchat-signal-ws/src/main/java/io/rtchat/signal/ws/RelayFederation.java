package io.rtchat.signal.ws;

/**
 * How a {@link RelayHub} shares its rooms with the hubs of other server instances (rtchat-server
 * does so over its MQTT backplane). The hub calls both methods while holding its lock: they must
 * not block and must not call back into the hub.
 *
 * <p>The other side of the link feeds {@link RelayHub#onRemoteMembers} with the latest
 * {@link RelayHub#membersSnapshot()} of every other hub (or {@code null} once that hub is gone),
 * and {@link RelayHub#onRemoteEvent} with their events, in the order each hub sent them.
 */
public interface RelayFederation {

  /** The hub's membership changed: publish {@link RelayHub#membersSnapshot()} soon (coalescing is fine). */
  void membersChanged();

  /** Sends one event to every other hub; events must arrive in the order of these calls. */
  void broadcast(String event);
}
