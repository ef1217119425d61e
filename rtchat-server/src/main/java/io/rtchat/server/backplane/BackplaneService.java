package io.rtchat.server.backplane;

/**
 * A part of the server other than the chat room that shares state through the backplane (the
 * {@code /signal} relay does). Each instance publishes its own state; the backplane keeps it
 * retained with the instance's presence, so it vanishes with the instance (last will). Callbacks
 * run on the backplane's one inbound thread, in order; they must not block for long.
 */
public interface BackplaneService {

  /** This instance's current state as a JSON value, or null for none. */
  String localState();

  /** The latest state of another instance, or null when that instance stopped or died. */
  void onRemoteState(String instance, String state);

  /** An event another instance broadcast, in the order it sent them. */
  void onRemoteEvent(String instance, String event);
}
