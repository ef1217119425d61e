package io.rtchat.bench;

/**
 * A measure the suite could not produce in this run, and why (a module not landed yet, a resource
 * limit of this machine, a timeout).
 */
public record Pending(String measure, String reason) {}
