package io.rtchat.core;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A live connection to one other peer over a WebRTC data channel. Thread-safe. */
public interface PeerSession extends AutoCloseable {

  String remoteName();

  /** The remote peer's key fingerprint when an authenticator established one, else null. */
  String remoteFingerprint();

  /** Whether the authenticator verified the remote peer's key for this very connection. */
  boolean verified();

  boolean isOpen();

  /**
   * Sends a chat message.
   *
   * @throws SessionClosedException when the session is closed (nothing is silently dropped)
   * @throws MessageTooLargeException over {@link Peer#MAX_MESSAGE_BYTES} encoded
   */
  void send(String text);

  /** Sends a value as a JSON message (Jackson encoding). Same failures as {@link #send}. */
  void sendJson(Object value);

  /**
   * Asks the remote peer a question. Completes with the answer; fails with {@link
   * java.util.concurrent.TimeoutException} after {@code timeout}, {@link RemoteErrorException}
   * when the remote handler fails or knows no such topic, {@link SessionClosedException} when the
   * session ends first.
   */
  CompletableFuture<String> ask(String topic, String content, Duration timeout);

  /** Sends a file; see {@link #sendStream}. An unreadable file fails the future at once. */
  CompletableFuture<TransferResult> sendFile(Path file, TransferListener progress);

  /**
   * Streams bytes to the remote peer in chunks of at most 16 KiB, pausing while the channel's
   * buffer is full. Completes when the receiver confirmed the SHA-256 of what it stored.
   *
   * @param size the number of bytes the stream will give, or -1 when unknown
   */
  CompletableFuture<TransferResult> sendStream(String name, InputStream content, long size,
      TransferListener progress);

  /** Signaling payload bytes sent and received to set up this connection. */
  long signalingBytes();

  /** Closes the session; the remote side sees it disconnect. */
  @Override
  void close();
}
