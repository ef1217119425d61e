package io.rtchat.core;

import java.nio.file.Path;

/**
 * A file that arrived and passed its SHA-256 check.
 *
 * @param offeredName the name the sender gave
 * @param path where it was stored, always inside the receive directory
 * @param renamed whether the offered name was unsafe or taken and a different one was used
 * @param bytes its size
 * @param sha256 hex SHA-256 of the content
 */
public record ReceivedFile(String offeredName, Path path, boolean renamed, long bytes,
    String sha256) {}
