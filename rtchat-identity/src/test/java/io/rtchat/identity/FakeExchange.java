package io.rtchat.identity;

import io.rtchat.core.auth.AuthExchange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One side of an in-memory authentication channel. Messages go to the linked side's inbox and are
 * delivered on that side's own serial thread, as on a data channel.
 */
final class FakeExchange implements AuthExchange, AutoCloseable {

  private final String localName;
  private final String remoteName;
  private final String room;
  private final boolean offerer;
  private final String localDtls;
  private final String remoteDtls;
  private final ExecutorService thread = Executors.newSingleThreadExecutor();
  private final Deque<String> inbox = new ArrayDeque<>();
  private final Deque<CompletableFuture<String>> waiting = new ArrayDeque<>();
  final List<String> sent = new ArrayList<>();
  volatile FakeExchange peer;

  FakeExchange(String localName, String remoteName, String room, boolean offerer, String localDtls,
      String remoteDtls) {
    this.localName = localName;
    this.remoteName = remoteName;
    this.room = room;
    this.offerer = offerer;
    this.localDtls = localDtls;
    this.remoteDtls = remoteDtls;
  }

  /** A linked pair as an honest connection gives it: each side's remote is the other's local. */
  static FakeExchange[] pair(String a, String b, String room) {
    return pair(a, b, room, dtls(1), dtls(2), dtls(2), dtls(1));
  }

  /** A linked pair with each side's own view of the fingerprints. */
  static FakeExchange[] pair(String a, String b, String room, String aLocal, String aRemote,
      String bLocal, String bRemote) {
    FakeExchange left = new FakeExchange(a, b, room, true, aLocal, aRemote);
    FakeExchange right = new FakeExchange(b, a, room, false, bLocal, bRemote);
    left.peer = right;
    right.peer = left;
    return new FakeExchange[] {left, right};
  }

  static String dtls(int seed) {
    StringBuilder hex = new StringBuilder("sha-256 ");
    for (int i = 0; i < 32; i++) {
      hex.append(i == 0 ? "" : ":").append(String.format("%02X", (seed * 37 + i * 11) & 0xFF));
    }
    return hex.toString();
  }

  @Override
  public String localName() {
    return localName;
  }

  @Override
  public String remoteName() {
    return remoteName;
  }

  @Override
  public String room() {
    return room;
  }

  @Override
  public boolean isOfferer() {
    return offerer;
  }

  @Override
  public String localDtlsFingerprint() {
    return localDtls;
  }

  @Override
  public String remoteDtlsFingerprint() {
    return remoteDtls;
  }

  @Override
  public void send(String message) {
    synchronized (sent) {
      sent.add(message);
    }
    FakeExchange target = peer;
    if (target != null) {
      target.deliver(message);
    }
  }

  void deliver(String message) {
    thread.execute(() -> {
      CompletableFuture<String> waiter;
      synchronized (this) {
        waiter = waiting.poll();
        if (waiter == null) {
          inbox.add(message);
          return;
        }
      }
      waiter.complete(message);
    });
  }

  @Override
  public CompletionStage<String> receive() {
    CompletableFuture<String> result = new CompletableFuture<>();
    String message;
    synchronized (this) {
      message = inbox.poll();
      if (message == null) {
        waiting.add(result);
        return result;
      }
    }
    thread.execute(() -> result.complete(message));
    return result;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
