package io.rtchat.core;

/**
 * A completed outgoing transfer, confirmed by the receiver's SHA-256 check.
 *
 * @param name the name offered to the receiver
 * @param bytes bytes sent
 * @param sha256 hex SHA-256 of the content, equal on both sides
 */
public record TransferResult(String name, long bytes, String sha256) {}
