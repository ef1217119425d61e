package io.rtchat.bench;

import io.rtchat.core.Message;
import io.rtchat.core.Peer;
import io.rtchat.core.PeerListener;
import io.rtchat.core.PeerSession;
import io.rtchat.core.ReceivedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/** Ours: two {@link Peer}s joining one room and the sessions they open to each other. */
final class PeerPair implements AutoCloseable {

  final Peer alice;
  final Peer bob;
  final Side aliceSide = new Side();
  final Side bobSide = new Side();
  PeerSession aliceSession;
  PeerSession bobSession;

  private PeerPair(URI aliceSignaling, URI bobSignaling, Path bobReceiveDirectory) {
    alice = Peer.builder().name("alice").signaling(aliceSignaling).listener(aliceSide).build();
    Peer.Builder builder = Peer.builder().name("bob").signaling(bobSignaling).listener(bobSide);
    if (bobReceiveDirectory != null) {
      builder.receiveDirectory(bobReceiveDirectory);
    }
    try {
      bob = builder.build();
    } catch (RuntimeException e) {
      alice.close();
      throw e;
    }
  }

  /** Builds both peers, joins both, and waits until both sessions are open. */
  static PeerPair connect(URI signaling, Path bobReceiveDirectory, long timeoutMillis)
      throws Exception {
    return connect(signaling, signaling, bobReceiveDirectory, timeoutMillis);
  }

  /** The same, each peer signaling through its own URI (e.g. two server instances of one room). */
  static PeerPair connect(URI aliceSignaling, URI bobSignaling, Path bobReceiveDirectory,
      long timeoutMillis) throws Exception {
    PeerPair pair = new PeerPair(aliceSignaling, bobSignaling, bobReceiveDirectory);
    try {
      pair.alice.join();
      pair.bob.join();
      CompletableFuture.allOf(pair.aliceSide.connected, pair.bobSide.connected)
          .get(timeoutMillis, TimeUnit.MILLISECONDS);
      pair.aliceSession = pair.aliceSide.connected.get();
      pair.bobSession = pair.bobSide.connected.get();
      return pair;
    } catch (Exception | Error e) {
      pair.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      alice.close();
    } finally {
      bob.close();
    }
  }

  /** Listener of one peer; messages go to {@link #onMessage}. */
  static final class Side implements PeerListener {
    final CompletableFuture<PeerSession> connected = new CompletableFuture<>();
    volatile BiConsumer<PeerSession, Message> onMessage = (session, message) -> {};

    @Override
    public void onConnected(PeerSession session) {
      connected.complete(session);
    }

    @Override
    public void onMessage(PeerSession session, Message message) {
      onMessage.accept(session, message);
    }

    /** When the last byte of the current incoming file was written, and when it was complete. */
    volatile long lastByteNanos;
    volatile long fileReceivedNanos;

    @Override
    public void onFileProgress(PeerSession session, String name, long receivedBytes,
        long totalBytes) {
      if (receivedBytes == totalBytes) {
        lastByteNanos = System.nanoTime();
      }
    }

    @Override
    public void onFileReceived(PeerSession session, ReceivedFile file) {
      fileReceivedNanos = System.nanoTime();
      try {
        Files.deleteIfExists(file.path()); // the bench only wants the bytes moved
      } catch (IOException e) {
        // left in the temporary directory, which is deleted after the run
      }
    }
  }
}
