package io.rtchat.cli.keys;

import io.rtchat.cli.Console;
import io.rtchat.identity.Identity;
import io.rtchat.identity.KeyDirectoryClient;
import io.rtchat.identity.KeyFiles;
import io.rtchat.identity.KeyType;
import io.rtchat.identity.KnownPeers;
import io.rtchat.identity.PublicKeys;
import io.rtchat.identity.TrustPolicy;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rtchat keys}: key pairs and known peers (rtchat-identity). */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Creates and shows your key pair, and manages the peers you trust.",
    subcommands = {KeysCommand.Init.class, KeysCommand.Show.class, KeysCommand.Trust.class,
        KeysCommand.ListPeers.class, KeysCommand.Register.class})
public final class KeysCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Inject
  public KeysCommand() {}

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: init, show, trust, list or register");
  }

  /** {@code --identity KEYFILE}, shared by the subcommands that use your key pair. */
  static final class IdentityFile {
    @Option(names = "--identity", paramLabel = "KEYFILE", description = "Default: ~/.rtchat/id")
    Path file;

    Path path() {
      return file != null ? file : Path.of(System.getProperty("user.home"), ".rtchat", "id");
    }

    Identity load() throws IOException {
      return Identity.load(path());
    }
  }

  /** {@code --known-peers FILE}, shared by the subcommands that read or change it. */
  static final class KnownPeersFile {
    @Option(names = "--known-peers", paramLabel = "FILE", description = "Default: ~/.rtchat/known_peers")
    Path file;

    KnownPeers open() throws IOException {
      return KnownPeers.builder()
          .file(file != null ? file : Path.of(System.getProperty("user.home"), ".rtchat", "known_peers"))
          .policy(TrustPolicy.STRICT).build();
    }
  }

  /** {@code rtchat keys init}. */
  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Creates a key pair: KEYFILE (mode 600) and KEYFILE.pub.")
  public static final class Init implements Callable<Integer> {
    @Mixin
    IdentityFile identity = new IdentityFile();

    @Option(names = "--type", defaultValue = "ed25519", paramLabel = "ed25519|rsa-pss",
        description = "Key type (default: ${DEFAULT-VALUE}).")
    String type;

    private final Console console;

    @Inject
    public Init(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() throws IOException {
      Path file = identity.path();
      KeyType keyType = KeyType.fromId(type);
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Identity created = Identity.generate(keyType);
      created.save(file);
      console.out().println(created.fingerprint());
      console.err().println("rtchat keys: wrote " + file + " (private, mode 600) and "
          + Identity.publicKeyFileOf(file));
      return 0;
    }
  }

  /** {@code rtchat keys show}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints your key's fingerprint.")
  public static final class Show implements Callable<Integer> {
    @Mixin
    IdentityFile identity = new IdentityFile();

    @Option(names = "--public-key", description = "Also print the public key (base64 SPKI) for 'keys trust'.")
    boolean publicKey;

    private final Console console;

    @Inject
    public Show(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() throws IOException {
      Identity me = identity.load();
      console.out().println(me.fingerprint());
      if (publicKey) {
        console.out().println(me.type().id() + " " + PublicKeys.toBase64(me.publicKey()));
      }
      return 0;
    }
  }

  /** {@code rtchat keys trust NAME FINGERPRINT_OR_PUBLIC_KEY}. */
  @Command(name = "trust", mixinStandardHelpOptions = true,
      description = {"Trusts a key for a peer name in the known peers file.",
          "KEY is a public key (base64 SPKI, or a .pub file), or a fingerprint SHA256:... that",
          "--server's key directory must confirm."})
  public static final class Trust implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "FINGERPRINT_OR_PUBLIC_KEY")
    String key;

    @Mixin
    KnownPeersFile knownPeers = new KnownPeersFile();

    @Option(names = "--server", paramLabel = "http://HOST:PORT",
        description = "Key directory to fetch the key of a fingerprint from.")
    URI server;

    @Option(names = "--comment", description = "A comment for the line.")
    String comment;

    @Spec
    CommandSpec spec;

    private final Console console;

    @Inject
    public Trust(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() throws IOException {
      PublicKey publicKey = resolve();
      KnownPeers known = knownPeers.open();
      known.trust(name, publicKey, comment);
      console.out().println("trusted " + name + " " + PublicKeys.fingerprint(publicKey));
      return 0;
    }

    private PublicKey resolve() throws IOException {
      if (key.startsWith("SHA256:")) {
        if (server == null) {
          throw new ParameterException(spec.commandLine(), "a fingerprint alone cannot be trusted:"
              + " give the public key (rtchat keys show --public-key) or --server to fetch it");
        }
        Optional<PublicKey> found = KeyDirectoryClient.forServer(server).lookup(name);
        if (found.isEmpty()) {
          throw new IOException(server + " has no key registered for " + name);
        }
        String actual = PublicKeys.fingerprint(found.get());
        if (!actual.equals(key)) {
          throw new IOException("the key " + server + " has for " + name + " is " + actual
              + ", not " + key + "; nothing trusted");
        }
        return found.get();
      }
      Path file = Path.of(key);
      if (key.endsWith(".pub") || Files.isRegularFile(file)) {
        return KeyFiles.readPublic(file);
      }
      try {
        return PublicKeys.fromSpki(Base64.getDecoder().decode(key));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "not a public key, .pub file or SHA256:"
            + " fingerprint: " + key);
      }
    }
  }

  /** {@code rtchat keys list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the known peers.")
  public static final class ListPeers implements Callable<Integer> {
    @Mixin
    KnownPeersFile knownPeers = new KnownPeersFile();

    private final Console console;

    @Inject
    public ListPeers(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() throws IOException {
      KnownPeers known = knownPeers.open();
      for (KnownPeers.Entry entry : known.entries()) {
        console.out().println(entry.name() + " " + entry.type().id() + " " + entry.fingerprint()
            + (entry.comment() == null || entry.comment().isEmpty() ? "" : " " + entry.comment()));
      }
      return 0;
    }
  }

  /** {@code rtchat keys register}. */
  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Registers your public key under a name in a server's key directory.")
  public static final class Register implements Callable<Integer> {
    @Option(names = "--server", required = true, paramLabel = "http://HOST:PORT")
    URI server;

    @Mixin
    IdentityFile identity = new IdentityFile();

    @Option(names = "--name", required = true)
    String name;

    private final Console console;

    @Inject
    public Register(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() throws IOException {
      Identity me = identity.load();
      KeyDirectoryClient.forServer(server).register(name, me);
      console.out().println("registered " + name + " " + me.fingerprint() + " at " + server);
      return 0;
    }
  }
}
