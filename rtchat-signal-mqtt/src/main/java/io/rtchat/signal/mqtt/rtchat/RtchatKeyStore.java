package io.rtchat.signal.mqtt.rtchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The RTChat keys this peer trusts: bare name → {@code publicKeyString}, like the page's
 * {@code knownHostsStrings}. In memory by default; with a file, read at creation and rewritten
 * (atomically) on every change, in the same JSON shape as the page's localStorage entry.
 * Thread-safe.
 */
public final class RtchatKeyStore {

  private final Map<String, String> keys = new TreeMap<>();
  private final Path file;

  private RtchatKeyStore(Path file) {
    this.file = file;
  }

  /** A store that lives as long as the peer. */
  public static RtchatKeyStore inMemory() {
    return new RtchatKeyStore(null);
  }

  /**
   * A store kept in a JSON file ({@code {"Alice":"{\"alg\":\"PS256\",...}"}}); a missing file is an
   * empty store, created on the first pin.
   *
   * @throws UncheckedIOException when the file exists but cannot be read as such an object
   */
  public static RtchatKeyStore file(Path file) {
    RtchatKeyStore store = new RtchatKeyStore(file.toAbsolutePath());
    if (Files.exists(file)) {
      try {
        JsonNode json = RtchatWire.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        if (json == null || !json.isObject()) {
          throw new IOException("not a JSON object of name -> publicKeyString");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          if (!entry.getValue().isTextual()) {
            throw new IOException("the key of '" + entry.getKey() + "' is not a string");
          }
          store.keys.put(entry.getKey(), entry.getValue().asText());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the RTChat key store " + file + ": "
            + e.getMessage(), e);
      }
    }
    return store;
  }

  /** The key pinned for a bare name. */
  public synchronized Optional<String> get(String bareName) {
    return Optional.ofNullable(keys.get(bareName));
  }

  /** Pins a key for a bare name, replacing any other, and saves the file if there is one. */
  public synchronized void pin(String bareName, String publicKeyString) {
    if (publicKeyString.equals(keys.put(bareName, publicKeyString))) {
      return;
    }
    save();
  }

  /** Forgets a bare name's key. */
  public synchronized void remove(String bareName) {
    if (keys.remove(bareName) != null) {
      save();
    }
  }

  /** A copy of every pinned key. */
  public synchronized Map<String, String> all() {
    return Map.copyOf(keys);
  }

  private void save() {
    if (file == null) {
      return;
    }
    ObjectNode json = RtchatWire.NODES.objectNode();
    keys.forEach(json::put);
    try {
      Path parent = file.getParent();
      Files.createDirectories(parent);
      Path temp = Files.createTempFile(parent, ".rtchat-keys-", ".tmp");
      Files.writeString(temp, json.toPrettyString() + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the RTChat key store " + file, e);
    }
  }
}
