package io.rtchat.identity;

import io.rtchat.core.Message;
import io.rtchat.core.PeerListener;
import io.rtchat.core.PeerSession;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/** Records what a peer's listener hears, as futures and queues a test can wait on. */
final class Recorder implements PeerListener {

  final CompletableFuture<PeerSession> connected = new CompletableFuture<>();
  final CompletableFuture<String> rejected = new CompletableFuture<>();
  final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  final BlockingQueue<String> disconnects = new LinkedBlockingQueue<>();

  @Override
  public void onConnected(PeerSession session) {
    connected.complete(session);
  }

  @Override
  public void onDisconnected(PeerSession session, String reason) {
    disconnects.add(session.remoteName() + ": " + reason);
  }

  @Override
  public void onRejected(String peerName, String reason) {
    rejected.complete(peerName + ": " + reason);
  }

  @Override
  public void onMessage(PeerSession session, Message message) {
    messages.add(message.text());
  }
}
