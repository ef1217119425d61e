package io.rtchat.cli.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtchat.cli.Console;
import io.rtchat.cli.Errors;
import io.rtchat.core.ConnectionPolicy;
import io.rtchat.core.Message;
import io.rtchat.core.Peer;
import io.rtchat.core.PeerListener;
import io.rtchat.core.PeerSession;
import io.rtchat.core.ReceivedFile;
import io.rtchat.core.rtc.RtcEngine;
import io.rtchat.core.signal.UriQuery;
import io.rtchat.core.signal.EnvelopeSealer;
import io.rtchat.core.signal.SignalingTransportProvider;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.SignalingTransports.UnknownSchemeException;
import io.rtchat.core.signal.TransportState;
import io.rtchat.identity.Identity;
import io.rtchat.identity.IdentityAuthenticator;
import io.rtchat.identity.KeyDirectoryClient;
import io.rtchat.identity.KnownPeers;
import io.rtchat.identity.RoomKey;
import io.rtchat.identity.RoomPasswordSealer;
import io.rtchat.identity.SignedEnvelopeSealer;
import io.rtchat.identity.TrustPolicy;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rtchat peer}: joins a room and chats through stdin and stdout (see CLI.md). */
@Command(name = "peer", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Joins a room, connects to the peers it finds, and reads commands from stdin:",
        "  TEXT                       chat message to every connected peer",
        "  /msg PEER TEXT             chat message to one peer",
        "  /ask PEER TOPIC CONTENT    ask a question (every peer answers 'echo' and 'ping')",
        "  /send PEER FILE [AS-NAME]  send a file (optionally offered under another name)",
        "  /peers                     list connected peers with their key fingerprints",
        "  /quit                      leave cleanly (also on end of stdin or SIGTERM)",
        ""},
    footer = {"", "Exit codes: 0 left cleanly, 1 runtime error (e.g. broker unreachable), 2 usage error."})
public final class PeerCommand implements Callable<Integer> {

  static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  @Spec
  CommandSpec spec;

  @Option(names = "--name", required = true, paramLabel = "NAME", description = "Your name in the room.")
  String name;

  @Option(names = "--signal", required = true, paramLabel = "URI",
      description = "Signaling backend, e.g. mqtt://127.0.0.1:1883, mqtts://broker.example:8883, "
          + "ws://127.0.0.1:8080/signal. The room may be the URI path.")
  URI signal;

  @Option(names = "--room", paramLabel = "ROOM", description = "The room (overrides a room in the URI).")
  String room;

  @Option(names = "--accept", defaultValue = "all", paramLabel = "all|known|none",
      completionCandidates = AcceptValues.class,
      description = "Which peers to connect with (default: ${DEFAULT-VALUE}); 'known' means listed in --known-peers.")
  String accept;

  @Option(names = "--identity", paramLabel = "KEYFILE",
      description = "Your private key file (rtchat keys init); peers then verify each other's keys.")
  Path identity;

  @Option(names = "--known-peers", paramLabel = "FILE",
      description = "Known peers file (default with --identity: ~/.rtchat/known_peers).")
  Path knownPeers;

  @Option(names = "--key-server", paramLabel = "http://HOST:PORT",
      description = "Look up keys of peers not in --known-peers in this server's key directory"
          + " (rtchat server's /api/keys; register with rtchat keys register). Needs --identity.")
  URI keyServer;

  @Option(names = "--password", paramLabel = "SECRET", arity = "0..1", interactive = false,
      description = "Room password: signaling is encrypted, brokers see only ciphertext.")
  String password;

  @Option(names = "--dialect", paramLabel = "native|rtchat",
      description = "What to speak: native (default) or rtchat, the RTChat browser page's MQTT"
          + " dialect (then --identity must be an RSA-PSS key: keys init --type rsa-pss).")
  String dialect;

  @Option(names = "--receive-dir", defaultValue = ".", paramLabel = "DIR",
      description = "Where received files go (default: current directory); never outside it.")
  Path receiveDir;

  @Option(names = "--json", description = "One JSON object per line on stdout; logs on stderr.")
  boolean json;

  @Option(names = "--no-progress", description = "No progress bars on stderr.")
  boolean noProgress;

  @Option(names = "--join-timeout", defaultValue = "7", paramLabel = "SECONDS",
      description = "Give up when the signaling server cannot be joined in this time (default: ${DEFAULT-VALUE}).")
  int joinTimeoutSeconds;

  private final Console console;
  private final ObjectMapper mapper;
  private final AtomicBoolean shutDown = new AtomicBoolean();
  private Events events;
  private Progress progress;
  private volatile Peer peer;

  @Inject
  public PeerCommand(Console console, ObjectMapper mapper) {
    this.console = console;
    this.mapper = mapper;
  }

  @Override
  public Integer call() throws Exception {
    events = new Events(mapper, console.out(), json);
    progress = new Progress(console.err(), !noProgress);
    SignalingTransportProvider provider = provider();
    String chosenDialect = dialect != null ? dialect : UriQuery.parse(signal).get("dialect");
    boolean rtchat = chosenDialect != null && !chosenDialect.equals("native");
    if (rtchat && !chosenDialect.equals("rtchat")) {
      throw usage("--dialect must be native or rtchat, not '" + chosenDialect + "'");
    }
    String chosenRoom = room != null ? room : provider.roomOf(signal);
    if (!rtchat && (chosenRoom == null || chosenRoom.isBlank())) {
      throw usage("no room: give --room or name it in the URI path, e.g. " + signal.resolve("/lobby"));
    }
    String policy = accept.toLowerCase(Locale.ROOT);
    if (!Set.of("all", "known", "none").contains(policy)) {
      throw usage("--accept must be all, known or none, not '" + accept + "'");
    }

    try {
      Peer.Builder builder = Peer.builder().name(name).listener(new Listener())
          .receiveDirectory(receiveDir);
      if (rtchat) {
        if (password != null) {
          throw usage("--password is not supported with --dialect rtchat");
        }
        if (policy.equals("known")) {
          throw usage("--accept known is not supported with --dialect rtchat");
        }
        builder.dialect("rtchat").signaling(rtchatUri()).connectionPolicy(
            policy.equals("none") ? ConnectionPolicy.rejectAll() : ConnectionPolicy.acceptAll());
        if (room != null) {
          builder.room(room);
        }
      } else {
        builder.signaling(signal).room(chosenRoom);
        secure(builder, policy, chosenRoom);
      }
      peer = builder.build();
    } catch (ParameterException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw usage(Errors.oneLine(e));
    } catch (Exception e) {
      return fail(Errors.oneLine(e));
    }
    String joinedRoom = peer.room();

    Thread hook = new Thread(this::shutdownOnSignal, "rtchat-peer-sigterm");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      try {
        peer.join().get(joinTimeoutSeconds, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        return fail("cannot join " + signal + ": no answer within " + joinTimeoutSeconds + " s");
      } catch (Exception e) {
        return fail(Errors.oneLine(e));
      }
      events.emit(events.event("ready").put("name", name).put("room", joinedRoom)
              .put("transport", signal.getScheme().toLowerCase(Locale.ROOT)),
          "* joined room " + joinedRoom + " as " + name + " via " + signal
              + "  (type /quit to leave; " + StdinCommand.HELP + ")");
      readCommands(console.in());
      return 0;
    } finally {
      shutdown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
  }

  private SignalingTransportProvider provider() {
    try {
      return SignalingTransports.providerFor(signal);
    } catch (UnknownSchemeException e) {
      if (json) {
        events.error(e.getMessage());
      }
      throw usage("unknown signaling scheme '" + signal.getScheme() + "' in " + signal
          + "; available schemes: " + String.join(", ", e.availableSchemes()));
    }
  }

  /** The signaling URI with the RTChat dialect's key options (it reads them from the query). */
  private URI rtchatUri() {
    StringBuilder query = new StringBuilder(signal.getRawQuery() == null ? "" : signal.getRawQuery());
    if (identity != null) {
      append(query, "key", identity.toAbsolutePath().toString());
    }
    if (knownPeers != null) {
      append(query, "knownPeers", knownPeers.toAbsolutePath().toString());
    }
    String text = signal.toString();
    int cut = text.indexOf('?');
    String base = cut < 0 ? text : text.substring(0, cut);
    return URI.create(query.length() == 0 ? base : base + "?" + query);
  }

  private static void append(StringBuilder query, String key, String value) {
    if (query.length() > 0) {
      query.append('&');
    }
    query.append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  /** Identity, known peers, room password and the accept policy. */
  private void secure(Peer.Builder builder, String policy, String chosenRoom) throws IOException {
    EnvelopeSealer sealer = EnvelopeSealer.NONE;
    Path knownFile = knownPeers;
    if (identity != null) {
      Identity me = Identity.load(identity);
      if (knownFile == null) {
        knownFile = Path.of(System.getProperty("user.home"), ".rtchat", "known_peers");
      }
      KnownPeers.Builder knownBuilder = KnownPeers.builder().file(knownFile)
          .policy(policy.equals("known") ? TrustPolicy.STRICT : TrustPolicy.ACCEPT_NEW);
      if (keyServer != null) {
        knownBuilder.source(KeyDirectoryClient.forServer(keyServer));
      }
      KnownPeers known = knownBuilder.build();
      builder.authenticator(IdentityAuthenticator.builder().identity(me).knownPeers(known).build());
      sealer = SignedEnvelopeSealer.builder().identity(me).knownPeers(known).build();
    }
    if (password != null) {
      if (password.isEmpty()) {
        throw new IllegalArgumentException("--password must not be empty");
      }
      sealer = new RoomPasswordSealer(RoomKey.derive(chosenRoom, password.toCharArray()), sealer);
    }
    builder.envelopeSealer(sealer);
    if (keyServer != null && identity == null) {
      throw new IllegalArgumentException("--key-server needs --identity");
    }
    if (policy.equals("known") && keyServer != null) {
      // Names come and go in the directory: the authenticator's strict check of each key decides.
      builder.connectionPolicy(ConnectionPolicy.acceptAll());
      return;
    }
    switch (policy) {
      case "none" -> builder.connectionPolicy(ConnectionPolicy.rejectAll());
      case "known" -> {
        if (knownFile == null) {
          throw new IllegalArgumentException("--accept known needs --known-peers FILE (or --identity)");
        }
        Set<String> names = KnownPeers.builder().file(knownFile).policy(TrustPolicy.STRICT).build()
            .entries().stream().map(KnownPeers.Entry::name).collect(Collectors.toSet());
        builder.connectionPolicy(ConnectionPolicy.acceptKnown(names));
      }
      default -> builder.connectionPolicy(ConnectionPolicy.acceptAll());
    }
  }

  private void readCommands(InputStream in) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    while (!shutDown.get() && (line = reader.readLine()) != null) {
      StdinCommand command = StdinCommand.parse(line);
      if (command instanceof StdinCommand.Quit) {
        return;
      }
      try {
        handle(command);
      } catch (RuntimeException e) {
        events.error(Errors.oneLine(e));
      }
    }
  }

  private void handle(StdinCommand command) {
    if (command instanceof StdinCommand.Broadcast b) {
      List<PeerSession> sessions = peer.sessions();
      if (sessions.isEmpty()) {
        events.error("no connected peer to send to");
      }
      for (PeerSession session : sessions) {
        sendText(session, b.text());
      }
    } else if (command instanceof StdinCommand.Direct d) {
      session(d.peer()).ifPresent(s -> sendText(s, d.text()));
    } else if (command instanceof StdinCommand.Ask a) {
      session(a.peer()).ifPresent(s -> ask(s, a.topic(), a.content()));
    } else if (command instanceof StdinCommand.Send s) {
      session(s.peer()).ifPresent(session -> sendFile(session, s));
    } else if (command instanceof StdinCommand.Peers) {
      listPeers();
    } else if (command instanceof StdinCommand.Invalid i) {
      events.error(i.message());
    }
  }

  private Optional<PeerSession> session(String peerName) {
    Optional<PeerSession> session = peer.session(peerName);
    if (session.isEmpty()) {
      events.error("not connected to " + peerName);
    }
    return session;
  }

  private void sendText(PeerSession session, String text) {
    try {
      session.send(text);
    } catch (RuntimeException e) {
      events.error("message to " + session.remoteName() + " not sent: " + Errors.oneLine(e));
    }
  }

  private void ask(PeerSession session, String topic, String content) {
    long start = System.nanoTime();
    session.ask(topic, content, ASK_TIMEOUT).whenComplete((answer, error) -> {
      if (error != null) {
        events.error("question " + topic + " to " + session.remoteName() + " failed: "
            + Errors.oneLine(error));
        return;
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      events.emit(events.event("answer").put("from", session.remoteName()).put("topic", topic)
              .put("answer", answer).put("millis", millis),
          "= " + session.remoteName() + " answered " + topic + ": " + answer + " (" + millis + " ms)");
    });
  }

  private void sendFile(PeerSession session, StdinCommand.Send send) {
    Path file = Path.of(send.file());
    InputStream in;
    long size;
    try {
      if (Files.isDirectory(file)) {
        throw new IOException(file + " is a directory");
      }
      in = Files.newInputStream(file);
      size = Files.size(file);
    } catch (IOException | RuntimeException e) {
      events.error("cannot read " + send.file() + ": " + Errors.oneLine(e));
      return;
    }
    String offered = send.asName() != null ? send.asName() : file.getFileName().toString();
    String key = "send/" + session.remoteName() + "/" + offered;
    String task = "to " + session.remoteName() + " " + offered;
    session.sendStream(offered, in, size, (sent, total) -> progress.update(key, task, sent, total))
        .whenComplete((result, error) -> {
          progress.finish(key);
          try {
            in.close();
          } catch (IOException e) {
            // read side only
          }
          if (error != null) {
            events.error("sending " + offered + " to " + session.remoteName() + " failed: "
                + Errors.oneLine(error));
            return;
          }
          events.emit(events.event("sent").put("peer", session.remoteName())
                  .put("name", result.name()).put("bytes", result.bytes())
                  .put("sha256", result.sha256()),
              "* sent " + result.name() + " to " + session.remoteName() + " (" + result.bytes()
                  + " bytes, sha256 " + result.sha256() + ")");
        });
  }

  private void listPeers() {
    ObjectNode event = events.event("peers");
    ArrayNode list = event.putArray("peers");
    StringBuilder human = new StringBuilder();
    List<PeerSession> sessions = peer.sessions();
    human.append("* ").append(sessions.size()).append(" connected peer(s)");
    for (PeerSession session : sessions) {
      list.addObject().put("peer", session.remoteName())
          .put("fingerprint", session.remoteFingerprint()).put("verified", session.verified());
      human.append(System.lineSeparator()).append("  ").append(session.remoteName()).append("  ")
          .append(fingerprintText(session));
    }
    if (events.json()) {
      events.emit(event, "");
    } else {
      for (String line : human.toString().split(System.lineSeparator())) {
        events.emit(event, line);
      }
    }
  }

  private static String fingerprintText(PeerSession session) {
    String fingerprint = session.remoteFingerprint();
    if (fingerprint == null) {
      return "(no key: run with --identity to verify peers)";
    }
    return fingerprint + (session.verified() ? " verified" : " NOT verified");
  }

  /** Prints the error event and returns exit code 1. */
  private int fail(String message) {
    if (events != null) {
      events.error(message);
    }
    if (!json) {
      console.err().println("rtchat peer: " + message);
    }
    return 1;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** SIGTERM (or Ctrl-C): leave the room as on /quit; the JVM exits after the hooks. */
  private void shutdownOnSignal() {
    shutdown();
    console.out().flush();
    console.out().close(); // native exit noise must not reach stdout
  }

  /**
   * Leaves the room (peers get a goodbye and see us disconnect at once), then disposes the native
   * WebRTC factory: without that the JVM never exits. Idempotent.
   */
  private void shutdown() {
    if (!shutDown.compareAndSet(false, true)) {
      return;
    }
    Peer current = peer;
    if (current != null) {
      try {
        current.close();
      } catch (RuntimeException e) {
        console.err().println("rtchat peer: closing failed: " + Errors.oneLine(e));
      }
    }
    progress.finishAll("");
    events.flush();
    RtcEngine.get().shutdown();
  }

  private final class Listener implements PeerListener {
    @Override
    public void onConnected(PeerSession session) {
      events.emit(events.event("connected").put("peer", session.remoteName())
              .put("fingerprint", session.remoteFingerprint()).put("verified", session.verified()),
          "* " + session.remoteName() + " connected " + fingerprintText(session));
    }

    @Override
    public void onDisconnected(PeerSession session, String reason) {
      progress.finishAll("recv/" + session.remoteName() + "/");
      events.emit(events.event("disconnected").put("peer", session.remoteName()).put("reason", reason),
          "* " + session.remoteName() + " disconnected (" + reason + ")");
    }

    @Override
    public void onMessage(PeerSession session, Message message) {
      events.emit(events.event("message").put("from", session.remoteName()).put("text", message.text()),
          "<" + session.remoteName() + "> " + message.text());
    }

    @Override
    public void onQuestion(PeerSession session, String topic, String content) {
      events.emit(events.event("question").put("from", session.remoteName()).put("topic", topic)
              .put("content", content),
          "? " + session.remoteName() + " asks " + topic + ": " + content);
    }

    @Override
    public void onRejected(String peerName, String reason) {
      events.emit(events.event("rejected").put("peer", peerName).put("reason", reason),
          "! rejected " + peerName + ": " + reason);
    }

    @Override
    public void onFileProgress(PeerSession session, String fileName, long received, long total) {
      progress.update("recv/" + session.remoteName() + "/" + fileName,
          "from " + session.remoteName() + " " + fileName, received, total);
    }

    @Override
    public void onFileReceived(PeerSession session, ReceivedFile file) {
      progress.finish("recv/" + session.remoteName() + "/" + file.offeredName());
      String stored = file.path().getFileName().toString();
      if (file.renamed()) {
        events.warning(events.event("warning").put("from", session.remoteName())
                .put("offered", file.offeredName()).put("path", file.path().toString()),
            session.remoteName() + " offered the file name '" + file.offeredName()
                + "'; stored it as '" + stored + "' inside " + file.path().getParent());
      }
      events.emit(events.event("file").put("from", session.remoteName()).put("name", stored)
              .put("bytes", file.bytes()).put("sha256", file.sha256())
              .put("path", file.path().toString()),
          "* received " + stored + " from " + session.remoteName() + " (" + file.bytes()
              + " bytes, sha256 " + file.sha256() + ") at " + file.path());
    }

    @Override
    public void onSignalingState(TransportState state) {
      if (state != TransportState.CONNECTED && !shutDown.get()) {
        events.emit(events.event("signaling").put("state", state.name().toLowerCase(Locale.ROOT)),
            "* signaling " + state.name().toLowerCase(Locale.ROOT));
      }
    }
  }

  /** Completion candidates of {@code --accept}. */
  static final class AcceptValues implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return List.of("all", "known", "none").iterator();
    }
  }
}
