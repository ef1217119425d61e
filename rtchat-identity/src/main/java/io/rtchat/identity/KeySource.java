package io.rtchat.identity;

import java.io.IOException;
import java.security.PublicKey;
import java.util.Optional;

/**
 * Somewhere else {@link KnownPeers} may learn a name's key, e.g. a key directory server
 * ({@link KeyDirectoryClient}). Consulted only for names the known-peers file does not list.
 */
public interface KeySource {

  /** The key registered for {@code name}, or empty when there is none. */
  Optional<PublicKey> lookup(String name) throws IOException;

  /** Where the keys come from, for messages (e.g. the server URL). */
  String describe();
}
