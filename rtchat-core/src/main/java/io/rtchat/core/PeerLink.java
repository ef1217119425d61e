package io.rtchat.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtchat.core.auth.AuthExchange;
import io.rtchat.core.auth.AuthResult;
import io.rtchat.core.dialect.PendingAnswers;
import io.rtchat.core.rtc.CompactSdp;
import io.rtchat.core.signal.Envelope.Kind;
import io.rtchat.core.rtc.RtcChannelClosedException;
import io.rtchat.core.rtc.RtcConnection;
import io.rtchat.core.rtc.RtcEngine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything about the connection to one remote peer: negotiation, authentication, and once open,
 * the session protocol. Connection events, signaling for this peer and listener calls all run on
 * the link's serial executor.
 */
final class PeerLink implements PeerSession, RtcConnection.Listener {

  static final String CHANNEL = "rtchat";

  /** Pause sending while more than this is buffered in the channel. */
  static final long HIGH_WATER_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
  private static final int MAX_PENDING_CANDIDATES = 64;
  private static final int MAX_HELD_FRAMES = 256;
  private static final int MAX_AUTH_MESSAGE_BYTES = 16 * 1024;

  private enum Phase { NEGOTIATING, AUTHENTICATING, OPEN, CLOSED }

  private final NativePeer peer;
  private final String remoteName;
  private final String remoteInstance;
  private final boolean offerer;
  final SerialExecutor events;
  private final AtomicLong signalingBytes = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final PendingAnswers<String> asks = new PendingAnswers<>();
  private final AtomicLong nextAskId = new AtomicLong();
  private final AtomicInteger nextStreamId = new AtomicInteger();
  private final Map<Integer, CompletableFuture<TransferResult>> outgoing = new ConcurrentHashMap<>();
  private final Map<Integer, IncomingFile> incoming = new ConcurrentHashMap<>();
  private final List<String> pendingCandidates = new ArrayList<>();
  private final Queue<JsonNode> heldFrames = new ArrayDeque<>();
  private final Queue<CompletableFuture<String>> authWaiters = new ArrayDeque<>();
  private final Queue<String> authInbox = new ArrayDeque<>();
  private volatile Phase phase = Phase.NEGOTIATING;
  private volatile RtcConnection rtc;
  private volatile String fingerprint;
  private volatile boolean verified;
  private boolean remoteDescriptionSet;

  PeerLink(NativePeer peer, String remoteName, String remoteInstance, boolean offerer) {
    this.peer = peer;
    this.remoteName = remoteName;
    this.remoteInstance = remoteInstance;
    this.offerer = offerer;
    this.events = new SerialExecutor(peer.workers(), 1024);
  }

  String remoteInstance() {
    return remoteInstance;
  }

  boolean isOfferer() {
    return offerer;
  }

  void countSignaling(int bytes) {
    signalingBytes.addAndGet(bytes);
  }

  // ---- negotiation (on the link's executor) ----

  void startOffer() {
    closeUnlessOpenAfter(peer.connectTimeout());
    run(() -> {
      rtc = RtcEngine.get().open(peer.iceServers(), this, events);
      rtc.createChannel(CHANNEL);
      rtc.createOffer().whenComplete((sdp, error) -> {
        if (error != null) {
          close("negotiation failed: " + error.getMessage());
        } else if (!closing.get()) {
          peer.signal(this, Kind.OFFER, CompactSdp.compact(sdp));
        }
      });
    });
  }

  void acceptOffer(String compactOffer) {
    closeUnlessOpenAfter(peer.connectTimeout());
    run(() -> {
      rtc = RtcEngine.get().open(peer.iceServers(), this, events);
      rtc.acceptOffer(CompactSdp.expand(compactOffer)).whenComplete((sdp, error) -> {
        if (error != null) {
          close("negotiation failed: " + error.getMessage());
        } else if (!closing.get()) {
          remoteDescriptionSet = true;
          flushCandidates();
          peer.signal(this, Kind.ANSWER, CompactSdp.compact(sdp));
        }
      });
    });
  }

  /** A link that never opens (peer gone, ICE impossible) must not block a later attempt. */
  private void closeUnlessOpenAfter(Duration timeout) {
    peer.schedule(() -> {
      if (phase == Phase.NEGOTIATING || phase == Phase.AUTHENTICATING) {
        close("connection not established within " + timeout.toSeconds() + " s");
      }
    }, timeout);
  }

  void onAnswer(String compactAnswer) {
    run(() -> {
      if (rtc == null || remoteDescriptionSet) {
        return;
      }
      rtc.applyAnswer(CompactSdp.expand(compactAnswer)).whenComplete((ok, error) -> {
        if (error != null) {
          close("negotiation failed: " + error.getMessage());
        } else {
          remoteDescriptionSet = true;
          flushCandidates();
        }
      });
    });
  }

  void onRemoteCandidate(String candidate) {
    run(() -> {
      if (remoteDescriptionSet && rtc != null) {
        rtc.addRemoteCandidate(candidate);
      } else if (pendingCandidates.size() < MAX_PENDING_CANDIDATES) {
        pendingCandidates.add(candidate);
      }
    });
  }

  private void flushCandidates() {
    for (String candidate : pendingCandidates) {
      rtc.addRemoteCandidate(candidate);
    }
    pendingCandidates.clear();
  }

  /** Runs a step on the link's executor; a failing step closes the link with its reason. */
  private void run(Runnable step) {
    execute(() -> {
      if (closing.get()) {
        return;
      }
      try {
        step.run();
      } catch (RuntimeException e) {
        close("negotiation failed: " + e.getMessage());
      }
    });
  }

  private void execute(Runnable task) {
    try {
      events.execute(task);
    } catch (RejectedExecutionException e) {
      close("receive queue overflow: the application handles events too slowly");
    }
  }

  // ---- RtcConnection.Listener ----

  @Override
  public void onLocalCandidate(String candidate) {
    peer.signal(this, Kind.CANDIDATE, candidate);
  }

  @Override
  public void onChannelOpen(String label) {
    if (!CHANNEL.equals(label) || phase != Phase.NEGOTIATING) {
      return;
    }
    phase = Phase.AUTHENTICATING;
    CompletionStage<AuthResult> result;
    try {
      result = peer.authenticator().authenticate(new Exchange());
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.toCompletableFuture()
        .orTimeout(peer.authTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((auth, error) -> execute(() -> finishAuthentication(auth, error)));
  }

  private void finishAuthentication(AuthResult auth, Throwable error) {
    if (closing.get()) {
      return;
    }
    if (error != null || auth == null || !auth.accepted()) {
      String reason = error != null ? "authentication failed: " + rootMessage(error)
          : auth == null ? "authentication failed" : "authentication failed: " + auth.reason();
      sendBye(reason);
      close(reason);
      return;
    }
    fingerprint = auth.fingerprint();
    verified = auth.verified();
    phase = Phase.OPEN;
    peer.opened(this);
    JsonNode held;
    while ((held = heldFrames.poll()) != null && phase == Phase.OPEN) {
      dispatch(held);
    }
  }

  @Override
  public void onChannelMessage(String label, byte[] data, boolean binary) {
    if (binary) {
      onChunk(data);
      return;
    }
    JsonNode frame;
    try {
      frame = Frames.decode(data);
    } catch (IllegalArgumentException e) {
      log.debug("ignored a malformed frame from {}: {}", remoteName, e.getMessage());
      return;
    }
    String type = frame.get("t").asText();
    if (Frames.AUTH.equals(type)) {
      onAuthMessage(frame.path("data").asText(""));
    } else if (Frames.BYE.equals(type)) {
      close(frame.path("reason").asText("left"));
    } else if (phase == Phase.OPEN) {
      dispatch(frame);
    } else if (heldFrames.size() < MAX_HELD_FRAMES) {
      heldFrames.add(frame);
    } else {
      close("too many messages before authentication completed");
    }
  }

  @Override
  public void onChannelClosed(String label) {
    close("data channel closed");
  }

  @Override
  public void onConnectionLost(String reason) {
    close(reason);
  }

  // ---- session protocol ----

  private void dispatch(JsonNode frame) {
    switch (frame.get("t").asText()) {
      case Frames.CHAT -> {
        Message message = new Message(frame.path("text").asText(""), frame.path("json").asBoolean(false));
        peer.emit(l -> l.onMessage(this, message));
      }
      case Frames.ASK -> answerQuestion(frame);
      case Frames.ANSWER -> completeAsk(frame.path("id").asLong(-1), frame.path("content").asText(""), null);
      case Frames.ERROR -> completeAsk(frame.path("id").asLong(-1), null, frame.path("error").asText("remote error"));
      case Frames.STREAM_START -> startIncoming(frame);
      case Frames.STREAM_END -> finishIncoming(frame);
      case Frames.STREAM_RESULT -> completeOutgoing(frame);
      default -> log.debug("ignored a frame of unknown type '{}' from {}", frame.get("t").asText(), remoteName);
    }
  }

  private void answerQuestion(JsonNode frame) {
    long id = frame.path("id").asLong(-1);
    String topic = frame.path("topic").asText("");
    String content = frame.path("content").asText("");
    peer.emit(l -> l.onQuestion(this, topic, content));
    QuestionHandler handler = peer.questionHandler(topic);
    if (handler == null) {
      replyToAsk(id, null, "no answer for topic '" + topic + "'");
      return;
    }
    CompletionStage<String> answer;
    try {
      answer = handler.answer(this, content);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((value, error) -> replyToAsk(id, value,
        error == null ? null : rootMessage(error)));
  }

  private void replyToAsk(long id, String answer, String error) {
    ObjectNode reply = error == null
        ? Frames.frame(Frames.ANSWER).put("id", id).put("content", answer == null ? "" : answer)
        : Frames.frame(Frames.ERROR).put("id", id).put("error", error);
    try {
      sendFrame(reply);
    } catch (RuntimeException e) {
      log.debug("could not answer {}: {}", remoteName, e.getMessage());
    }
  }

  private void completeAsk(long id, String answer, String error) {
    boolean waited = error == null
        ? asks.answer(id, answer)
        : asks.fail(id, new RemoteErrorException(remoteName + " answered with an error: " + error));
    if (!waited) {
      log.debug("ignored an answer to unknown question {} from {}", id, remoteName);
    }
  }

  // ---- PeerSession ----

  @Override
  public String remoteName() {
    return remoteName;
  }

  @Override
  public String remoteFingerprint() {
    return fingerprint;
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
  public long signalingBytes() {
    return signalingBytes.get();
  }

  @Override
  public void send(String text) {
    sendFrame(Frames.frame(Frames.CHAT).put("text", text));
  }

  @Override
  public void sendJson(Object value) {
    sendFrame(Frames.frame(Frames.CHAT).put("text", Frames.json(value)).put("json", true));
  }

  @Override
  public CompletableFuture<String> ask(String topic, String content, Duration timeout) {
    long id = nextAskId.incrementAndGet();
    return asks.ask(id, timeout,
        () -> sendFrame(Frames.frame(Frames.ASK).put("id", id).put("topic", topic).put("content", content)));
  }

  @Override
  public CompletableFuture<TransferResult> sendFile(Path file, TransferListener progress) {
    InputStream content;
    long size;
    try {
      size = Files.size(file);
      content = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      return CompletableFuture.failedFuture(new IOException("no such file: " + file, e));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IOException("cannot read " + file + ": " + e.getMessage(), e));
    }
    return sendStream(file.getFileName().toString(), content, size, progress)
        .whenComplete((result, error) -> closeQuietly(content));
  }

  @Override
  public CompletableFuture<TransferResult> sendStream(String name, InputStream content, long size,
      TransferListener progress) {
    if (phase != Phase.OPEN) {
      return CompletableFuture.failedFuture(closedError());
    }
    int id = nextStreamId.incrementAndGet();
    CompletableFuture<TransferResult> result = new CompletableFuture<>();
    outgoing.put(id, result);
    result.whenComplete((value, error) -> outgoing.remove(id));
    try {
      peer.workers().execute(() -> stream(id, name, content, size, progress, result));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(closedError());
    }
    return result;
  }

  private void stream(int id, String name, InputStream content, long size,
      TransferListener progress, CompletableFuture<TransferResult> result) {
    try {
      Sha256 digest = new Sha256();
      sendFrame(Frames.frame(Frames.STREAM_START).put("id", id).put("name", name).put("size", size));
      byte[] buffer = new byte[Frames.CHUNK_BYTES];
      long sent = 0;
      int read;
      while ((read = content.readNBytes(buffer, 0, buffer.length)) > 0) {
        awaitBufferSpace();
        rtc.send(CHANNEL, Frames.chunk(id, buffer, read), true);
        digest.update(buffer, read);
        sent += read;
        progress.onProgress(sent, size);
        if (result.isDone()) {
          return; // refused or closed meanwhile
        }
      }
      if (size >= 0 && sent != size) {
        throw new IOException(name + " gave " + sent + " bytes, " + size + " were announced");
      }
      sendFrame(Frames.frame(Frames.STREAM_END).put("id", id).put("bytes", sent).put("sha256", digest.hex()));
    } catch (RtcChannelClosedException e) {
      result.completeExceptionally(closedError());
    } catch (Exception e) {
      result.completeExceptionally(e);
    }
  }

  /** Polls the buffered amount: onBufferedAmountChange never fires in webrtc-java 0.14.0. */
  private void awaitBufferSpace() {
    while (rtc.bufferedAmount(CHANNEL) > HIGH_WATER_BYTES) {
      if (phase != Phase.OPEN) {
        throw new RtcChannelClosedException("session closed");
      }
      LockSupport.parkNanos(200_000);
    }
  }

  private void completeOutgoing(JsonNode frame) {
    CompletableFuture<TransferResult> result = outgoing.remove(frame.path("id").asInt(-1));
    if (result == null) {
      return;
    }
    if (frame.path("ok").asBoolean(false)) {
      result.complete(new TransferResult(frame.path("name").asText(""), frame.path("bytes").asLong(),
          frame.path("sha256").asText("")));
    } else {
      result.completeExceptionally(new RemoteErrorException(remoteName + " refused the transfer: "
          + frame.path("error").asText("no reason given")));
    }
  }

  private void startIncoming(JsonNode frame) {
    int id = frame.path("id").asInt(-1);
    String name = frame.path("name").asText("");
    long size = frame.path("size").asLong(-1);
    Path directory = peer.receiveDirectory();
    if (directory == null) {
      refuseIncoming(id, name, "this peer does not accept files");
      return;
    }
    if (size > peer.maxFileBytes() || incoming.size() >= 8) {
      refuseIncoming(id, name, "file too large or too many transfers at once");
      return;
    }
    try {
      incoming.put(id, IncomingFile.create(directory, name, size));
    } catch (IOException e) {
      refuseIncoming(id, name, "cannot store the file: " + e.getMessage());
    }
  }

  private void onChunk(byte[] data) {
    if (data.length < Frames.STREAM_HEADER_BYTES || phase != Phase.OPEN) {
      return;
    }
    int id = java.nio.ByteBuffer.wrap(data).getInt();
    IncomingFile file = incoming.get(id);
    if (file == null) {
      return;
    }
    try {
      file.write(data, Frames.STREAM_HEADER_BYTES, data.length - Frames.STREAM_HEADER_BYTES);
      if (file.received() > peer.maxFileBytes()
          || (file.declaredSize() >= 0 && file.received() > file.declaredSize())) {
        throw new IOException("more bytes than announced");
      }
    } catch (IOException e) {
      incoming.remove(id);
      file.discard();
      refuseIncoming(id, file.offeredName(), e.getMessage());
      return;
    }
    peer.emit(l -> l.onFileProgress(this, file.offeredName(), file.received(), file.declaredSize()));
  }

  private void finishIncoming(JsonNode frame) {
    int id = frame.path("id").asInt(-1);
    IncomingFile file = incoming.remove(id);
    if (file == null) {
      return;
    }
    String expected = frame.path("sha256").asText("");
    try {
      ReceivedFile received = file.complete(expected, frame.path("bytes").asLong(-1));
      sendFrame(Frames.frame(Frames.STREAM_RESULT).put("id", id).put("ok", true)
          .put("name", file.offeredName()).put("bytes", received.bytes()).put("sha256", received.sha256()));
      peer.emit(l -> l.onFileReceived(this, received));
    } catch (IOException e) {
      file.discard();
      refuseIncoming(id, file.offeredName(), e.getMessage());
    }
  }

  private void refuseIncoming(int id, String name, String reason) {
    log.info("refused file '{}' from {}: {}", name, remoteName, reason);
    try {
      sendFrame(Frames.frame(Frames.STREAM_RESULT).put("id", id).put("ok", false).put("error", reason));
    } catch (RuntimeException e) {
      log.debug("could not refuse a transfer: {}", e.getMessage());
    }
  }

  // ---- authentication bridge ----

  private void onAuthMessage(String message) {
    CompletableFuture<String> waiter = authWaiters.poll();
    if (waiter != null) {
      waiter.complete(message);
    } else if (authInbox.size() < 16) {
      authInbox.add(message);
    }
  }

  private final class Exchange implements AuthExchange {
    @Override
    public String localName() {
      return peer.name();
    }

    @Override
    public String remoteName() {
      return remoteName;
    }

    @Override
    public String room() {
      return peer.room();
    }

    @Override
    public boolean isOfferer() {
      return offerer;
    }

    @Override
    public String localDtlsFingerprint() {
      return CompactSdp.dtlsFingerprint(rtc.localSdp());
    }

    @Override
    public String remoteDtlsFingerprint() {
      return CompactSdp.dtlsFingerprint(rtc.remoteSdp());
    }

    @Override
    public void send(String message) {
      if (message.length() > MAX_AUTH_MESSAGE_BYTES) {
        throw new MessageTooLargeException("authentication message over " + MAX_AUTH_MESSAGE_BYTES + " bytes");
      }
      rtc.send(CHANNEL, Frames.encode(Frames.frame(Frames.AUTH).put("data", message)), false);
    }

    @Override
    public CompletionStage<String> receive() {
      CompletableFuture<String> next = new CompletableFuture<>();
      execute(() -> {
        String queued = authInbox.poll();
        if (queued != null) {
          next.complete(queued);
        } else if (closing.get()) {
          next.completeExceptionally(closedError());
        } else {
          authWaiters.add(next);
        }
      });
      return next;
    }
  }

  // ---- sending and closing ----

  private void sendFrame(ObjectNode frame) {
    if (phase != Phase.OPEN) {
      throw closedError();
    }
    byte[] bytes = Frames.encode(frame);
    if (bytes.length > Peer.MAX_MESSAGE_BYTES) {
      throw new MessageTooLargeException("message of " + bytes.length + " bytes exceeds the limit of "
          + Peer.MAX_MESSAGE_BYTES + "; send large data with sendFile or sendStream");
    }
    try {
      rtc.send(CHANNEL, bytes, false);
    } catch (RtcChannelClosedException e) {
      throw closedError();
    }
  }

  private void sendBye(String reason) {
    RtcConnection connection = rtc;
    if (connection != null) {
      try {
        connection.send(CHANNEL, Frames.encode(Frames.frame(Frames.BYE).put("reason", reason)), false);
      } catch (RuntimeException e) {
        log.debug("could not say goodbye to {}: {}", remoteName, e.getMessage());
      }
    }
  }

  private SessionClosedException closedError() {
    return new SessionClosedException("session with " + remoteName + " is closed");
  }

  @Override
  public void close() {
    if (phase == Phase.OPEN) {
      sendBye("closed");
    }
    close("closed");
  }

  /** Tears the link down once; the listener hears of it if the session had opened. */
  void close(String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    boolean wasOpen = phase == Phase.OPEN;
    // Ending during authentication is a rejection, whichever side refused first.
    boolean rejected = phase == Phase.AUTHENTICATING;
    phase = Phase.CLOSED;
    RtcConnection connection = rtc;
    if (connection != null) {
      connection.close();
    }
    SessionClosedException closed = new SessionClosedException(
        "session with " + remoteName + " closed: " + reason);
    asks.failAll(closed);
    outgoing.values().forEach(result -> result.completeExceptionally(closed));
    incoming.values().forEach(IncomingFile::discard);
    incoming.clear();
    Runnable finish = () -> {
      authWaiters.forEach(waiter -> waiter.completeExceptionally(closed));
      authWaiters.clear();
      if (rejected) {
        peer.rejected(remoteName, reason);
      }
      peer.closed(this, wasOpen, reason);
      events.shutdown();
    };
    try {
      events.execute(finish);
    } catch (RejectedExecutionException e) {
      finish.run();
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.debug("close failed", e);
    }
  }

  static String rootMessage(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && (cause instanceof java.util.concurrent.CompletionException
        || cause instanceof java.util.concurrent.ExecutionException)) {
      cause = cause.getCause();
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return "timed out";
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
