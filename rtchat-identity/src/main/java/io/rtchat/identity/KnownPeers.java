package io.rtchat.identity;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which key belongs to which peer name, in an SSH known_hosts-like file:
 *
 * <pre>
 * # comment lines and blank lines are kept on every rewrite
 * alice ed25519 MCowBQYDK2VwAyEA...   optional comment
 * bob   rsa-pss MIIBIjANBgkqhkiG9w0...
 * </pre>
 *
 * <p>One line per name and key ({@code name keytype base64-SPKI [comment]}); a name may have more
 * than one line (any listed key is accepted). A key that differs from every listed key of its name
 * is always rejected, naming both fingerprints and the file line. Names not listed are handled by
 * the {@link TrustPolicy}, after asking the extra {@link KeySource}s.
 *
 * <p>Thread-safe. Changes re-read the file under a lock file ({@code FILE.lock}), write a temporary
 * file and move it over the old one atomically, so concurrent writers (threads, instances,
 * processes) never leave a torn or half-written file, and hand edits made meanwhile are kept.
 */
public final class KnownPeers {

  /** Largest known-peers file read. */
  static final int MAX_FILE_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(KnownPeers.class);
  private static final long LOCK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long SOURCE_CACHE_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int MAX_SOURCE_CACHE = 1024;

  /** Asked about a name the file does not list under {@link TrustPolicy#ASK}. */
  @FunctionalInterface
  public interface AskCallback {
    /** Whether to trust (and store) {@code fingerprint} for {@code name}. */
    boolean trust(String name, KeyType type, String fingerprint);
  }

  /**
   * One line of the file naming a peer: a key ({@code type} and {@code key} set) or a fingerprint
   * pin ({@code type} and {@code key} null). {@code line} is 1-based, 0 when the peers live in
   * memory only.
   */
  public record Entry(String name, KeyType type, PublicKey key, String fingerprint, String comment,
      int line) {

    /** Whether {@code candidate} is this entry's key (or has its pinned fingerprint). */
    public boolean matches(PublicKey candidate) {
      return key != null ? PublicKeys.same(key, candidate)
          : fingerprint.equals(PublicKeys.fingerprint(candidate));
    }
  }

  /**
   * Outcome of {@link #check}.
   *
   * @param trusted whether the key may be used for the name
   * @param stored whether this check added the key (first use)
   * @param reason why it was refused, or how it was trusted
   */
  public record Decision(boolean trusted, boolean stored, String reason) {
    static Decision trusted(String how) {
      return new Decision(true, false, how);
    }

    static Decision storedNew(String how) {
      return new Decision(true, true, how);
    }

    static Decision refused(String why) {
      return new Decision(false, false, why);
    }
  }

  private final Path file;
  private final TrustPolicy policy;
  private final AskCallback ask;
  private final List<KeySource> sources;
  private final List<String> memory = new ArrayList<>();
  private final Map<String, CachedLookup> sourceCache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, CachedLookup> eldest) {
      return size() > MAX_SOURCE_CACHE;
    }
  };
  private List<String> cachedLines;
  private List<Entry> cachedEntries = List.of();

  private KnownPeers(Builder builder) {
    this.file = builder.file;
    this.policy = builder.policy;
    this.ask = builder.ask;
    this.sources = List.copyOf(builder.sources);
    if (policy == TrustPolicy.ASK && ask == null) {
      throw new IllegalArgumentException("policy 'ask' needs an ask callback");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public TrustPolicy policy() {
    return policy;
  }

  /** The file, or {@code null} when the peers live in memory only. */
  public Path file() {
    return file;
  }

  /**
   * Decides whether {@code key} may speak for {@code name}, storing it on first use where the policy
   * says so. Never throws: unreadable files and failing sources end in a refusal or fall through to
   * the policy, with the reason in the decision.
   */
  public synchronized Decision check(String name, PublicKey key) {
    String nameProblem = PeerNames.problem(name);
    if (nameProblem != null) {
      return Decision.refused("invalid peer name: " + nameProblem);
    }
    String fingerprint = PublicKeys.fingerprint(key);
    List<Entry> listed;
    try {
      listed = entries().stream().filter(e -> e.name().equals(name)).toList();
    } catch (IOException | IdentityException e) {
      return Decision.refused("cannot read known peers " + where() + ": " + e.getMessage());
    }
    for (Entry entry : listed) {
      if (entry.matches(key)) {
        return Decision.trusted(name + " " + fingerprint + " listed at " + where(entry));
      }
    }
    if (!listed.isEmpty()) {
      Entry known = listed.get(0);
      String reason = "KEY MISMATCH for '" + name + "': it presented " + fingerprint
          + " but " + where(known) + " holds " + known.fingerprint()
          + ". Someone may be impersonating " + name + ". If the key really changed, remove that line"
          + " (or run: rtchat keys trust " + name + " " + fingerprint + ")";
      log.warn(reason);
      return Decision.refused(reason);
    }
    for (KeySource source : sources) {
      Optional<PublicKey> registered = lookup(source, name);
      if (registered == null) {
        continue;
      }
      if (registered.isPresent()) {
        if (PublicKeys.same(registered.get(), key)) {
          return Decision.trusted(name + " " + fingerprint + " registered at " + source.describe());
        }
        String reason = "KEY MISMATCH for '" + name + "': it presented " + fingerprint + " but "
            + source.describe() + " has " + PublicKeys.fingerprint(registered.get()) + " registered";
        log.warn(reason);
        return Decision.refused(reason);
      }
    }
    return switch (policy) {
      case STRICT -> Decision.refused("'" + name + "' (" + fingerprint + ") is not in known peers "
          + where() + " and the policy is strict; to trust it run: rtchat keys trust " + name + " "
          + fingerprint);
      case ACCEPT_NEW -> store(name, key, "first use");
      case ASK -> asked(name, key, fingerprint)
          ? store(name, key, "confirmed")
          : Decision.refused("'" + name + "' (" + fingerprint + ") was not confirmed");
    };
  }

  private boolean asked(String name, PublicKey key, String fingerprint) {
    try {
      return ask.trust(name, KeyType.of(key), fingerprint);
    } catch (RuntimeException e) {
      log.warn("ask callback failed for '{}': {}", name, e.toString());
      return false;
    }
  }

  /**
   * A source's answer, remembered for {@link #SOURCE_CACHE_NANOS} (signed envelopes ask for every
   * payload; a directory should not see a request each time); null when the source failed.
   */
  private Optional<PublicKey> lookup(KeySource source, String name) {
    String cacheKey = source.describe() + "\n" + name;
    long now = System.nanoTime();
    CachedLookup cached = sourceCache.get(cacheKey);
    if (cached != null && now - cached.at() < SOURCE_CACHE_NANOS) {
      return cached.key();
    }
    Optional<PublicKey> key;
    try {
      key = Objects.requireNonNull(source.lookup(name), "lookup result");
    } catch (IOException | RuntimeException e) {
      log.warn("key source {} failed for '{}': {}", source.describe(), name, e.toString());
      return null;
    }
    sourceCache.put(cacheKey, new CachedLookup(key, now));
    return key;
  }

  private record CachedLookup(Optional<PublicKey> key, long at) {}

  private Decision store(String name, PublicKey key, String how) {
    String line = format(name, key, null);
    Entry[] raced = {null};
    try {
      // Re-check under the file lock: another writer may have stored a key for this name meanwhile.
      update(lines -> {
        for (int i = 0; i < lines.size(); i++) {
          Entry entry = parse(lines.get(i), i + 1);
          if (entry != null && entry.name().equals(name)) {
            if (!entry.matches(key)) {
              raced[0] = entry;
            }
            return false;
          }
        }
        lines.add(line);
        return true;
      });
    } catch (IOException | RuntimeException e) {
      return Decision.refused("cannot store the key of '" + name + "' in " + where() + ": " + e);
    }
    if (raced[0] != null) {
      return Decision.refused("KEY MISMATCH for '" + name + "': it presented "
          + PublicKeys.fingerprint(key) + " but " + where(raced[0]) + " holds "
          + raced[0].fingerprint());
    }
    String fingerprint = PublicKeys.fingerprint(key);
    log.info("trusting new peer '{}' with key {} ({}), stored in {}", name, fingerprint, how, where());
    return Decision.storedNew("new peer " + name + " " + fingerprint + " stored (" + how + ")");
  }

  /** Every key line, in file order. */
  public synchronized List<Entry> entries() throws IOException {
    List<String> lines = readLines();
    // Signed envelopes ask for every payload: reading the small file is cheap, decoding its keys
    // less so; decode again only when the text changed.
    if (file != null && lines.equals(cachedLines)) {
      return cachedEntries;
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Entry entry = parse(lines.get(i), i + 1);
      if (entry != null) {
        entries.add(entry);
      }
    }
    if (file != null) {
      cachedLines = List.copyOf(lines);
      cachedEntries = List.copyOf(entries);
    }
    return entries;
  }

  /** Appends a key for {@code name} unless that exact key is listed already. */
  public synchronized void add(String name, PublicKey key, String comment) throws IOException {
    String line = format(name, key, comment);
    update(lines -> {
      for (int i = 0; i < lines.size(); i++) {
        Entry entry = parse(lines.get(i), i + 1);
        if (entry != null && entry.name().equals(name) && entry.key() != null
            && PublicKeys.same(entry.key(), key)) {
          return false;
        }
      }
      lines.add(line);
      return true;
    });
  }

  /**
   * Makes {@code key} the only key of {@code name}: replaces its first line in place, drops its
   * other lines, or appends one. Comments and other lines are kept.
   */
  public synchronized void trust(String name, PublicKey key, String comment) throws IOException {
    replace(name, format(name, key, comment));
  }

  /**
   * Like {@link #trust(String, PublicKey, String)} for what a user types: a fingerprint ({@code
   * SHA256:...}, stored as a pin that accepts the key with that fingerprint), a base64 SPKI, or a
   * PEM public key.
   *
   * @throws KeyFormatException when it is none of these
   */
  public synchronized void trust(String name, String fingerprintOrPublicKey, String comment)
      throws IOException {
    String value = fingerprintOrPublicKey == null ? "" : fingerprintOrPublicKey.strip();
    if (value.startsWith("SHA256:")) {
      checkFingerprint(value);
      replace(name, withComment(PeerNames.encode(PeerNames.check(name)) + " " + value, comment));
      return;
    }
    if (value.startsWith("-----BEGIN PUBLIC KEY-----")) {
      value = value.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
          .replaceAll("\\s", "");
    }
    byte[] der;
    try {
      der = java.util.Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("expected a fingerprint (SHA256:...), a base64 public key or a"
          + " PEM public key");
    }
    trust(name, PublicKeys.fromSpki(der), comment);
  }

  private static void checkFingerprint(String fingerprint) {
    if (!fingerprint.matches("SHA256:[A-Za-z0-9+/]{43}")) {
      throw new KeyFormatException("'" + fingerprint + "' is not a SHA256: fingerprint"
          + " (SHA256: followed by 43 base64 characters)");
    }
  }

  private void replace(String name, String line) throws IOException {
    update(lines -> {
      boolean placed = false;
      for (int i = 0; i < lines.size(); i++) {
        Entry entry = parse(lines.get(i), i + 1);
        if (entry != null && entry.name().equals(name)) {
          if (placed) {
            lines.remove(i--);
          } else {
            lines.set(i, line);
            placed = true;
          }
        }
      }
      if (!placed) {
        lines.add(line);
      }
      return true;
    });
  }

  /** Removes every line of {@code name}; returns how many there were. */
  public synchronized int remove(String name) throws IOException {
    int[] removed = {0};
    update(lines -> {
      for (int i = 0; i < lines.size(); i++) {
        Entry entry = parse(lines.get(i), i + 1);
        if (entry != null && entry.name().equals(name)) {
          lines.remove(i--);
          removed[0]++;
        }
      }
      return removed[0] > 0;
    });
    return removed[0];
  }

  private static String format(String name, PublicKey key, String comment) {
    PeerNames.check(name);
    return withComment(PeerNames.encode(name) + " " + KeyType.of(key).id() + " "
        + PublicKeys.toBase64(key), comment);
  }

  private static String withComment(String line, String comment) {
    if (comment == null || comment.isBlank()) {
      return line;
    }
    if (comment.chars().anyMatch(c -> c == '\n' || c == '\r')) {
      throw new IllegalArgumentException("comment must be one line");
    }
    return line + " " + comment.strip();
  }

  /** The entry of a line, null for comments and blank lines; malformed lines are errors. */
  private Entry parse(String line, int number) {
    String trimmed = line.strip();
    if (trimmed.isEmpty() || trimmed.startsWith("#")) {
      return null;
    }
    String[] parts = trimmed.split("\\s+", 3);
    String at = where() + ":" + number + ": ";
    if (parts.length < 2) {
      throw new IdentityException(at + "expected 'name keytype base64-key [comment]'"
          + " or 'name SHA256:fingerprint [comment]'");
    }
    String name;
    try {
      name = PeerNames.decode(parts[0]);
    } catch (IllegalArgumentException e) {
      throw new IdentityException(at + e.getMessage());
    }
    int lineNumber = file == null ? 0 : number;
    try {
      if (parts[1].startsWith("SHA256:")) {
        checkFingerprint(parts[1]);
        return new Entry(name, null, null, parts[1], parts.length > 2 ? parts[2] : null, lineNumber);
      }
      if (parts.length < 3) {
        throw new IdentityException(at + "expected 'name keytype base64-key [comment]'");
      }
      String[] rest = parts[2].split("\\s+", 2);
      KeyType type = KeyType.fromId(parts[1]);
      PublicKey key = PublicKeys.fromBase64(type, rest[0]);
      return new Entry(name, type, key, PublicKeys.fingerprint(key),
          rest.length > 1 ? rest[1] : null, lineNumber);
    } catch (KeyFormatException e) {
      throw new IdentityException(at + e.getMessage(), e);
    }
  }

  private String where() {
    return file == null ? "(in memory)" : file.toString();
  }

  private String where(Entry entry) {
    return file == null ? "known peers (in memory)" : file + ":" + entry.line();
  }

  private List<String> readLines() throws IOException {
    if (file == null) {
      return new ArrayList<>(memory);
    }
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IdentityException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return new ArrayList<>();
    }
  }

  private interface Edit {
    /** Changes the lines in place; false when nothing changed. */
    boolean apply(List<String> lines);
  }

  private void update(Edit edit) throws IOException {
    if (file == null) {
      List<String> lines = new ArrayList<>(memory);
      entriesOf(lines);
      if (edit.apply(lines)) {
        memory.clear();
        memory.addAll(lines);
      }
      return;
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path lockFile = dir.resolve(file.getFileName() + ".lock");
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock ignored = lock(channel)) {
      List<String> lines = readLines();
      entriesOf(lines); // refuse to rewrite a file we cannot parse
      if (!edit.apply(lines)) {
        return;
      }
      Path temp = dir.resolve("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
      try {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
          text.append(line).append('\n');
        }
        Files.writeString(temp, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        try {
          Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

  private void entriesOf(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      parse(lines.get(i), i + 1);
    }
  }

  /**
   * Locks the lock file against other processes. Another instance in this JVM holding the lock
   * shows up as {@link OverlappingFileLockException}; wait for it, bounded.
   */
  private FileLock lock(FileChannel channel) throws IOException {
    long deadline = System.nanoTime() + LOCK_TIMEOUT_NANOS;
    while (true) {
      try {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          return lock;
        }
      } catch (OverlappingFileLockException e) {
        // held by another KnownPeers of this JVM
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("could not lock " + file + ".lock within 10 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  /** Builds a {@link KnownPeers}; the defaults are no file (memory only) and {@code accept-new}. */
  public static final class Builder {
    private Path file;
    private TrustPolicy policy = TrustPolicy.ACCEPT_NEW;
    private AskCallback ask;
    private final List<KeySource> sources = new ArrayList<>();

    private Builder() {}

    /** The known-peers file; created on the first stored key. */
    public Builder file(Path file) {
      this.file = file;
      return this;
    }

    public Builder policy(TrustPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Asked under {@link TrustPolicy#ASK}; may block (it runs during authentication). */
    public Builder ask(AskCallback ask) {
      this.ask = ask;
      return this;
    }

    /** Another place to look up names the file does not list, e.g. a key directory. */
    public Builder source(KeySource source) {
      sources.add(Objects.requireNonNull(source, "source"));
      return this;
    }

    public KnownPeers build() {
      return new KnownPeers(this);
    }
  }
}
