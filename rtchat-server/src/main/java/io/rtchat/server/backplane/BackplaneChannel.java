package io.rtchat.server.backplane;

/** What a registered {@link BackplaneService} uses to talk to the other instances. Never blocks. */
public interface BackplaneChannel {

  /** The service's local state changed: it is read and republished shortly (changes coalesce). */
  void stateChanged();

  /** One event (a JSON value) for every other instance; they receive this channel's events in call order. */
  void broadcast(String event);
}
