package io.rtchat.core.dialect;

import io.rtchat.core.PeerSession;
import io.rtchat.core.signal.TransportState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What a dialect runs behind {@code io.rtchat.core.Peer}; see that class for the contract. */
public interface DialectPeer extends AutoCloseable {

  /** The room joined, as the dialect names it. */
  String room();

  CompletableFuture<Void> join();

  TransportState signalingState();

  List<PeerSession> sessions();

  Optional<PeerSession> session(String peerName);

  @Override
  void close();
}
