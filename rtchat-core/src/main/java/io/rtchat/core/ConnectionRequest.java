package io.rtchat.core;

/**
 * A peer in the room that wants a session, or that this peer could connect to.
 *
 * @param peerName the remote peer's name as it claims it (unverified until authentication)
 * @param room the room
 */
public record ConnectionRequest(String peerName, String room) {}
