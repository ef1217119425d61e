package io.rtchat.signal.mqtt.rtchat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtchat.core.Message;
import io.rtchat.core.MessageTooLargeException;
import io.rtchat.core.PeerSession;
import io.rtchat.core.QuestionHandler;
import io.rtchat.core.SessionClosedException;
import io.rtchat.core.TransferListener;
import io.rtchat.core.TransferResult;
import io.rtchat.core.dialect.PendingAnswers;
import io.rtchat.core.rtc.RtcChannelClosedException;
import io.rtchat.core.rtc.RtcConnection;
import io.rtchat.core.rtc.RtcEngine;
import io.rtchat.identity.KeyFormatException;
import io.rtchat.identity.RtchatKeys;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection with one RTChat peer: negotiation, RTChat's eleven data channels, the
 * question/answer RPC and the identity check. Everything but the public {@link PeerSession}
 * methods runs on the peer's control thread.
 *
 * <p>The session is reported to the application ({@code onConnected}) only once the remote peer
 * proved, on this very connection, that it holds the key pinned for its name ({@code challenge})
 * or, on first contact, a key that matches what it announced ({@code identify}, then pinned). Any
 * failure closes the connection: unlike the page, a failed challenge never validates.
 */
final class RtchatSession implements PeerSession, RtcConnection.Listener {

  private static final Logger log = LoggerFactory.getLogger(RtchatSession.class);

  /** RTChat's channels, in the order the offerer creates them (section 5.1). */
  static final List<String> LABELS = List.of("connectedViaRTC", "dm", "chat", "question",
      "answer", "ping", "pong", "streamice", "streamoffer", "streamanswer", "endcall");

  private static final int MAX_HELD_MESSAGES = 256;
  private static final int MAX_HELD_CANDIDATES = 64;
  private static final Pattern UFRAG = Pattern.compile("(?m)^a=ice-ufrag:(\\S+)");
  private static final Pattern CANDIDATE_UFRAG = Pattern.compile(" ufrag (\\S+)");

  private enum Phase { NEGOTIATING, VERIFYING, OPEN, CLOSED }

  private final RtchatPeer peer;
  private final boolean offerer;
  private final long createdNanos = System.nanoTime();
  private final AtomicLong signalingBytes = new AtomicLong();
  private final PendingAnswers<JsonNode> asks = new PendingAnswers<>();
  private final Set<String> openChannels = new HashSet<>();
  private final List<String> heldLocalCandidates = new ArrayList<>();
  private final Queue<Message> heldMessages = new ArrayDeque<>();
  private final Queue<JsonNode> heldQuestions = new ArrayDeque<>();
  private volatile String remoteName;
  private volatile Phase phase = Phase.NEGOTIATING;
  private volatile RtcConnection rtc;
  private volatile boolean verified;
  private volatile String fingerprint;
  private boolean awaitingAnswer;
  private boolean remoteDescriptionSet;
  private boolean reported;
  private boolean challengeAnswered;
  private volatile boolean proofFailed;
  private String localUfrag;
  private String remoteUfrag;

  RtchatSession(RtchatPeer peer, String remoteName, boolean offerer) {
    this.peer = peer;
    this.remoteName = remoteName;
    this.offerer = offerer;
  }

  // ---- negotiation ----

  void startOffer() {
    awaitingAnswer = true;
    giveUpUnlessConnected();
    try {
      rtc = RtcEngine.get().open(peer.iceServers(), this, peer.control());
      for (String label : LABELS) {
        rtc.createChannel(label);
      }
      rtc.createOffer().whenCompleteAsync((sdp, error) -> {
        if (error != null) {
          close("negotiation failed: " + error.getMessage());
        } else if (!isClosed()) {
          // The SDP holds the candidates gathered so far: the page may drop early trickled ones.
          localUfrag = ufrag(sdp);
          ObjectNode description = RtchatWire.NODES.objectNode();
          description.put("type", "offer");
          description.put("sdp", sdp);
          ObjectNode offer = RtchatWire.NODES.objectNode();
          offer.set("localDescription", description);
          offer.put("target", remoteName);
          ObjectNode data = RtchatWire.NODES.objectNode();
          data.set("userInfo", peer.userInfo());
          data.set("offer", offer);
          countSignaling(peer.signal("RTCOffer", data));
        }
      }, peer.control());
    } catch (RuntimeException e) {
      close("negotiation failed: " + e.getMessage());
    }
  }

  void acceptOffer(String offerSdp) {
    giveUpUnlessConnected();
    remoteUfrag = ufrag(offerSdp);
    try {
      rtc = RtcEngine.get().open(peer.iceServers(), this, peer.control());
      rtc.acceptOffer(offerSdp).whenCompleteAsync((sdp, error) -> {
        if (error != null) {
          close("negotiation failed: " + error.getMessage());
        } else if (!isClosed()) {
          localUfrag = ufrag(sdp);
          remoteDescriptionSet = true;
          ObjectNode description = RtchatWire.NODES.objectNode();
          description.put("type", "answer");
          description.put("sdp", sdp);
          ObjectNode data = RtchatWire.NODES.objectNode();
          data.set("localDescription", description);
          data.put("target", remoteName);
          countSignaling(peer.signal("RTCAnswer", data));
          peer.takeEarlyCandidates(remoteName).forEach(this::addRemoteCandidate);
        }
      }, peer.control());
    } catch (RuntimeException e) {
      close("negotiation failed: " + e.getMessage());
    }
  }

  void applyAnswer(String answerSdp) {
    awaitingAnswer = false;
    remoteUfrag = ufrag(answerSdp);
    try {
      rtc.applyAnswer(answerSdp).whenCompleteAsync((ok, error) -> {
        if (error != null) {
          close("negotiation failed: " + error.getMessage());
        } else if (!isClosed()) {
          remoteDescriptionSet = true;
          peer.takeEarlyCandidates(remoteName).forEach(this::addRemoteCandidate);
          heldLocalCandidates.forEach(this::sendCandidate);
          heldLocalCandidates.clear();
        }
      }, peer.control());
    } catch (RuntimeException e) {
      close("negotiation failed: " + e.getMessage());
    }
  }

  /** Adds a candidate object of the page; one for another ICE session (ufrag) is dropped. */
  void addRemoteCandidate(JsonNode candidate) {
    if (isClosed() || rtc == null) {
      return;
    }
    String line = candidate.path("candidate").asText("");
    if (line.startsWith("a=")) {
      line = line.substring(2);
    }
    if (line.isEmpty()) {
      return;
    }
    String ufrag = candidate.path("usernameFragment").asText(null);
    if (ufrag == null) {
      Matcher matcher = CANDIDATE_UFRAG.matcher(line);
      ufrag = matcher.find() ? matcher.group(1) : null;
    }
    if (ufrag != null && remoteUfrag != null && !ufrag.equals(remoteUfrag)) {
      log.debug("dropped a candidate of {} for another ICE session", remoteName);
      return;
    }
    try {
      rtc.addRemoteCandidate(line);
    } catch (RuntimeException e) {
      log.debug("candidate of {} refused: {}", remoteName, e.getMessage());
    }
  }

  private void sendCandidate(String line) {
    String candidate = line.startsWith("a=") ? line.substring(2) : line;
    ObjectNode data = RtchatWire.NODES.objectNode();
    data.put("candidate", candidate);
    data.put("sdpMid", "0");
    data.put("sdpMLineIndex", 0);
    String ufrag = localUfrag;
    if (ufrag == null) {
      Matcher matcher = CANDIDATE_UFRAG.matcher(candidate);
      ufrag = matcher.find() ? matcher.group(1) : null;
    }
    if (ufrag != null) {
      data.put("usernameFragment", ufrag);
    }
    countSignaling(peer.signal("RTCIceCandidate", data));
  }

  private void giveUpUnlessConnected() {
    peer.schedule(() -> {
      if (phase == Phase.NEGOTIATING) {
        close("not connected within " + RtchatPeer.CONNECT_TIMEOUT_MILLIS / 1000 + " s");
      }
    }, RtchatPeer.CONNECT_TIMEOUT_MILLIS);
  }

  // ---- RtcConnection.Listener (control thread) ----

  @Override
  public void onLocalCandidate(String candidate) {
    if (offerer && !remoteDescriptionSet) {
      if (heldLocalCandidates.size() < MAX_HELD_CANDIDATES) {
        heldLocalCandidates.add(candidate); // the page may not keep candidates sent before its answer
      }
    } else {
      sendCandidate(candidate);
    }
  }

  @Override
  public void onChannelOpen(String label) {
    if (!offerer || phase != Phase.NEGOTIATING) {
      return;
    }
    openChannels.add(label);
    if (openChannels.containsAll(LABELS)) {
      // The page marks us connected on this frame; it must be valid JSON, hence the text null.
      sendFrame("connectedViaRTC", "null");
      connected();
    }
  }

  @Override
  public void onChannelMessage(String label, byte[] data, boolean binary) {
    if (binary || isClosed()) {
      return; // the page only sends (and parses) text frames
    }
    JsonNode value;
    try {
      value = RtchatWire.JSON.readTree(new String(data, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      log.debug("dropped a frame on {} from {} that is not JSON", label, remoteName);
      return;
    }
    if (value == null) {
      return;
    }
    switch (label) {
      case "connectedViaRTC" -> {
        if (!offerer && phase == Phase.NEGOTIATING) {
          connected();
        }
      }
      case "chat", "dm" -> deliver(value.isTextual()
          ? new Message(value.asText(), false) : new Message(value.toString(), true));
      case "question" -> onQuestion(value);
      case "answer" -> onAnswer(value);
      case "ping" -> sendFrame("pong", "\"pong\"");
      case "streamoffer" -> sendFrame("endcall", "null"); // no calls: decline
      default -> { } // pong, streamice, streamanswer, endcall: nothing to do without calls
    }
  }

  @Override
  public void onChannelClosed(String label) {
    if (phase != Phase.NEGOTIATING) {
      close("closed by " + remoteName);
    }
  }

  @Override
  public void onConnectionLost(String reason) {
    close(reason);
  }

  // ---- connected: identity ----

  private void connected() {
    phase = Phase.VERIFYING;
    log.debug("{} connected with {} as {}", peer.name(), remoteName,
        offerer ? "offerer" : "answerer");
    verify();
  }

  /**
   * Asks {@code challenge} when a key is pinned for the bare name, else {@code identify}; reports
   * the session once the answer verifies, closes it otherwise.
   */
  private void verify() {
    String name = remoteName;
    String bare = RtchatNames.bare(name);
    String pinned = peer.keyStore().get(bare).orElse(null);
    String challenge = new String(RtchatPeer.randomBytes(32), StandardCharsets.ISO_8859_1);
    String topic = pinned != null ? "challenge" : "identify";
    askJson(topic, RtchatWire.NODES.textNode(challenge), peer.authTimeout())
        .whenCompleteAsync((answer, error) -> {
          if (isClosed() || !name.equals(remoteName)) {
            return;
          }
          String failure = error != null
              ? topic + " not answered: " + rootMessage(error)
              : pinned != null ? checkChallenge(pinned, challenge, answer)
              : checkIdentify(bare, challenge, answer);
          if (failure != null) {
            log.warn("{} failed to prove its RTChat key: {}", name, failure);
            proofFailed = true;
            peer.proofFailed(name);
            close(failure);
            return;
          }
          verified = true;
          phase = Phase.OPEN;
          if (!reported) {
            reported = true;
            peer.emit(l -> l.onConnected(this));
          }
          while (!heldMessages.isEmpty()) {
            Message message = heldMessages.poll();
            peer.emit(l -> l.onMessage(this, message));
          }
          while (!heldQuestions.isEmpty()) {
            onQuestion(heldQuestions.poll());
          }
        }, peer.control());
  }

  private String checkChallenge(String pinned, String challenge, JsonNode answer) {
    if (!answer.isTextual()) {
      return "challenge answered with " + answer.getNodeType() + " instead of a signature";
    }
    PublicKey key;
    try {
      key = RtchatKeys.parsePublicKeyString(pinned);
    } catch (KeyFormatException e) {
      return "the key pinned for " + remoteName + " is unusable: " + e.getMessage();
    }
    if (!RtchatKeys.verifyChallenge(key, challenge, answer.asText())) {
      return "challenge failed: the signature does not match the key pinned for "
          + RtchatNames.bare(remoteName);
    }
    fingerprint = sha256(pinned);
    return null;
  }

  private String checkIdentify(String bare, String challenge, JsonNode answer) {
    String keyString = answer.path("publicKeyString").asText(null);
    String signature = answer.path("signature").asText(null);
    if (keyString == null || signature == null) {
      return "identify answered without publicKeyString and signature";
    }
    String advertised = peer.advertisedKey(remoteName);
    if (advertised != null && !advertised.equals(keyString)) {
      return "identify failed: the key differs from the one " + remoteName + " announced";
    }
    PublicKey key;
    try {
      key = RtchatKeys.parsePublicKeyString(keyString);
    } catch (KeyFormatException e) {
      return "identify failed: " + e.getMessage();
    }
    if (!RtchatKeys.verifyChallenge(key, challenge, signature)) {
      return "identify failed: the signature does not match the key presented";
    }
    // Trust on first use: pinned only if nobody pinned another key for the name meanwhile.
    String pinned = peer.keyStore().get(bare).orElse(null);
    if (pinned != null && !pinned.equals(keyString)) {
      return "identify failed: another key is pinned for " + bare;
    }
    peer.keyStore().pin(bare, keyString);
    fingerprint = sha256(keyString);
    return null;
  }

  /** The page renamed itself: the new name is unverified until it proves its key again. */
  void renamed(String newName) {
    String old = remoteName;
    remoteName = newName;
    if (phase == Phase.OPEN || phase == Phase.VERIFYING) {
      log.info("{} is now called {}; verifying again", old, newName);
      verified = false;
      phase = Phase.VERIFYING;
      verify();
    }
  }

  // ---- RPC ----

  private void onQuestion(JsonNode frame) {
    JsonNode n = frame.get("n");
    JsonNode question = frame.path("question");
    String topic = question.path("topic").asText(null);
    if (n == null || !n.isNumber() || topic == null) {
      return;
    }
    JsonNode content = question.path("content");
    if (topic.equals("identify") || topic.equals("challenge")) {
      answerChallenge(n, question, topic, content);
      return;
    }
    if (phase != Phase.OPEN) {
      // Not verified yet (the page may validate us first): answer once it proved its key.
      if (heldQuestions.size() < MAX_HELD_MESSAGES) {
        heldQuestions.add(frame);
      }
      return;
    }
    QuestionHandler handler = peer.handler(topic);
    if (handler == null) {
      log.debug("no handler for question topic {} from {}; not answered", topic, remoteName);
      return;
    }
    String text = content.isTextual() ? content.asText() : content.toString();
    peer.emit(l -> l.onQuestion(this, topic, text));
    CompletionStage<String> answer;
    try {
      answer = handler.answer(this, text);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((value, error) -> {
      if (error != null) {
        log.debug("handler for {} failed: {}", topic, rootMessage(error));
        return; // RTChat has no error reply
      }
      reply(n, value == null ? RtchatWire.NODES.nullNode() : RtchatWire.NODES.textNode(value),
          question);
    });
  }

  /** Signs a raw RTChat challenge, once per connection, only 32 units of U+0000–U+00FF. */
  private void answerChallenge(JsonNode n, JsonNode question, String topic, JsonNode content) {
    if (challengeAnswered) {
      log.warn("{} asked a second {} on one connection; not answered", remoteName, topic);
      return;
    }
    String signature;
    try {
      signature = RtchatKeys.signChallenge(peer.identity(), content.asText(null));
    } catch (IllegalArgumentException e) {
      log.warn("refused to sign {} content of {}: {}", topic, remoteName, e.getMessage());
      return;
    }
    challengeAnswered = true;
    if (topic.equals("identify")) {
      ObjectNode answer = RtchatWire.NODES.objectNode();
      answer.put("publicKeyString", peer.options().publicKeyString());
      answer.put("signature", signature);
      reply(n, answer, question);
    } else {
      reply(n, RtchatWire.NODES.textNode(signature), question);
    }
  }

  private void reply(JsonNode n, JsonNode answer, JsonNode question) {
    ObjectNode frame = RtchatWire.NODES.objectNode();
    frame.set("n", n);
    frame.set("answer", answer);
    frame.set("question", question);
    try {
      sendFrame("answer", frame.toString());
    } catch (RuntimeException e) {
      log.debug("answer to {} not sent: {}", remoteName, e.getMessage());
    }
  }

  private void onAnswer(JsonNode frame) {
    JsonNode n = frame.get("n");
    if (n == null || !n.canConvertToInt()) {
      return;
    }
    JsonNode answer = frame.get("answer");
    asks.answer(n.asInt(), answer == null ? RtchatWire.NODES.nullNode() : answer);
  }

  private CompletableFuture<JsonNode> askJson(String topic, JsonNode content, Duration timeout) {
    int n = peer.nextQuestion();
    ObjectNode question = RtchatWire.NODES.objectNode();
    question.put("topic", topic);
    question.set("content", content);
    ObjectNode frame = RtchatWire.NODES.objectNode();
    frame.put("n", n);
    frame.set("question", question);
    return asks.ask(n, timeout, () -> sendFrame("question", frame.toString()));
  }

  // ---- PeerSession ----

  @Override
  public String remoteName() {
    return remoteName;
  }

  /** SHA-256 (hex) of the remote peer's {@code publicKeyString}, once verified. */
  @Override
  public String remoteFingerprint() {
    return verified ? fingerprint : null;
  }

  @Override
  public boolean verified() {
    return verified;
  }

  @Override
  public boolean isOpen() {
    return phase == Phase.OPEN;
  }

  @Override
  public void send(String text) {
    sendChat(RtchatWire.NODES.textNode(text).toString());
  }

  @Override
  public void sendJson(Object value) {
    try {
      sendChat(RtchatWire.JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private void sendChat(String json) {
    if (!isOpen()) {
      throw new SessionClosedException("session with " + remoteName + " is not open");
    }
    sendFrame("chat", json);
  }

  @Override
  public CompletableFuture<String> ask(String topic, String content, Duration timeout) {
    if (!isOpen()) {
      return CompletableFuture.failedFuture(
          new SessionClosedException("session with " + remoteName + " is not open"));
    }
    return askJson(topic, RtchatWire.NODES.textNode(content), timeout)
        .thenApply(answer -> answer.isTextual() ? answer.asText() : answer.toString());
  }

  @Override
  public CompletableFuture<TransferResult> sendFile(Path file, TransferListener progress) {
    return CompletableFuture.failedFuture(noFiles());
  }

  @Override
  public CompletableFuture<TransferResult> sendStream(String name, InputStream content, long size,
      TransferListener progress) {
    return CompletableFuture.failedFuture(noFiles());
  }

  private static UnsupportedOperationException noFiles() {
    return new UnsupportedOperationException("the RTChat dialect has no file transfer (the RTChat"
        + " page has none); send text with send() or use the native dialect");
  }

  @Override
  public long signalingBytes() {
    return signalingBytes.get();
  }

  @Override
  public void close() {
    close("closed");
  }

  /** Closes the connection; reports {@code onDisconnected} if the session was reported. */
  void close(String reason) {
    boolean wasReported;
    synchronized (this) {
      if (phase == Phase.CLOSED) {
        return;
      }
      phase = Phase.CLOSED;
      wasReported = reported;
    }
    verified = false;
    RtcConnection connection = rtc;
    if (connection != null) {
      connection.close();
    }
    SessionClosedException closed = new SessionClosedException(
        "session with " + remoteName + " closed: " + reason);
    asks.failAll(closed);
    peer.removed(this);
    if (wasReported) {
      peer.emit(l -> l.onDisconnected(this, reason));
    } else if (proofFailed) {
      peer.emit(l -> l.onRejected(remoteName, reason));
    }
    log.debug("session with {} closed: {}", remoteName, reason);
  }

  // ---- helpers ----

  private void deliver(Message message) {
    if (phase == Phase.OPEN) {
      peer.emit(l -> l.onMessage(this, message));
    } else if (heldMessages.size() < MAX_HELD_MESSAGES) {
      heldMessages.add(message); // delivered once the peer proved its key, dropped if it fails
    }
  }

  /** Sends one text frame of JSON. */
  private void sendFrame(String label, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > RtcConnection.MAX_MESSAGE_BYTES) {
      throw new MessageTooLargeException("message of " + bytes.length
          + " bytes exceeds the data channel limit of " + RtcConnection.MAX_MESSAGE_BYTES);
    }
    RtcConnection connection = rtc;
    if (connection == null || isClosed()) {
      throw new SessionClosedException("session with " + remoteName + " is closed");
    }
    try {
      connection.send(label, bytes, false);
    } catch (RtcChannelClosedException e) {
      throw new SessionClosedException("session with " + remoteName + ": " + e.getMessage());
    }
  }

  void countSignaling(int bytes) {
    signalingBytes.addAndGet(bytes);
  }

  boolean isOfferer() {
    return offerer;
  }

  boolean awaitingAnswer() {
    return awaitingAnswer;
  }

  boolean remoteDescriptionSet() {
    return remoteDescriptionSet;
  }

  boolean isConnected() {
    return phase == Phase.VERIFYING || phase == Phase.OPEN;
  }

  boolean isClosed() {
    return phase == Phase.CLOSED;
  }

  long ageMillis() {
    return (System.nanoTime() - createdNanos) / 1_000_000;
  }

  private static String ufrag(String sdp) {
    Matcher matcher = UFRAG.matcher(sdp == null ? "" : sdp);
    return matcher.find() ? matcher.group(1).trim() : null;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root instanceof java.util.concurrent.TimeoutException
        ? "no answer in time" : String.valueOf(root.getMessage());
  }
}
