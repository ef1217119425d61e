package io.rtchat.identity;

import io.rtchat.core.rtc.CompactSdp;
import io.rtchat.core.rtc.RtcConnection;
import io.rtchat.core.rtc.RtcEngine;
import io.rtchat.core.signal.Envelope;
import io.rtchat.core.signal.EnvelopeCodec;
import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingListener;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.TransportState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Mallory, a man in the middle on the signaling path between "alice" (who offers) and "bob". She
 * answers alice's offer with her own peer connection, offers bob another one of her own, rewrites
 * the SDPs (so each side sees her DTLS certificate, not the other's), and relays every data-channel
 * message between the two legs unchanged. DTLS succeeds on both legs; only the identity challenge
 * can notice.
 */
final class MitmRelay implements AutoCloseable {

  static final String CHANNEL = "rtchat";

  final Side toAlice = new Side("alice");
  final Side toBob = new Side("bob");
  /** Completes when alice's channel to Mallory is open (DTLS done on that leg). */
  final CompletableFuture<Void> aliceLegOpen = new CompletableFuture<>();
  /** Completes when bob's channel to Mallory is open (DTLS done on that leg). */
  final CompletableFuture<Void> bobLegOpen = new CompletableFuture<>();
  /** Every message Mallory relayed, as text, prefixed with its direction. */
  final List<String> relayed = new CopyOnWriteArrayList<>();

  private final String room;
  private final ExecutorService control = Executors.newSingleThreadExecutor();
  private final ExecutorService aliceEvents = Executors.newSingleThreadExecutor();
  private final ExecutorService bobEvents = Executors.newSingleThreadExecutor();
  private final CompletableFuture<String> answerForAlice = new CompletableFuture<>();
  private final CompletableFuture<Void> aliceRemoteSet = new CompletableFuture<>();
  private final CompletableFuture<Void> bobRemoteSet = new CompletableFuture<>();
  private final Leg aliceLeg = new Leg("alice");
  private final Leg bobLeg = new Leg("bob");
  private volatile String aliceInstance;
  private volatile String bobInstance;

  MitmRelay(String room) {
    this.room = room;
  }

  private void fromPeer(String owner, byte[] payload) {
    control.execute(() -> {
      Envelope envelope = EnvelopeCodec.decode(payload);
      if (owner.equals("alice")) {
        aliceInstance = envelope.instance();
      } else {
        bobInstance = envelope.instance();
      }
      Side other = owner.equals("alice") ? toBob : toAlice;
      switch (envelope.kind()) {
        case ANNOUNCE, BYE -> other.deliver(payload);
        case OFFER -> {
          if (!owner.equals("alice")) {
            throw new IllegalStateException("this relay expects alice to offer");
          }
          aliceLeg.rtc = RtcEngine.get().open(List.of(), aliceLeg, aliceEvents);
          aliceLeg.rtc.acceptOffer(CompactSdp.expand(envelope.body())).whenComplete((answer, e) -> {
            if (e == null) {
              aliceRemoteSet.complete(null);
              answerForAlice.complete(answer);
            }
          });
          bobLeg.rtc = RtcEngine.get().open(List.of(), bobLeg, bobEvents);
          bobLeg.rtc.createChannel(CHANNEL);
          bobLeg.rtc.createOffer().thenAccept(offer -> toBob.deliver(EnvelopeCodec.encode(
              new Envelope(Envelope.Kind.OFFER, room, "alice", aliceInstance, "bob",
                  CompactSdp.compact(offer)))));
        }
        case ANSWER -> {
          bobLeg.rtc.applyAnswer(CompactSdp.expand(envelope.body()))
              .thenRun(() -> bobRemoteSet.complete(null));
          answerForAlice.thenAccept(answer -> toAlice.deliver(EnvelopeCodec.encode(
              new Envelope(Envelope.Kind.ANSWER, room, "bob", bobInstance, "alice",
                  CompactSdp.compact(answer)))));
        }
        case CANDIDATE -> {
          Leg leg = owner.equals("alice") ? aliceLeg : bobLeg;
          (owner.equals("alice") ? aliceRemoteSet : bobRemoteSet)
              .thenRun(() -> leg.rtc.addRemoteCandidate(envelope.body()));
        }
      }
    });
  }

  @Override
  public void close() {
    for (Leg leg : new Leg[] {aliceLeg, bobLeg}) {
      if (leg.rtc != null) {
        leg.rtc.close();
      }
    }
    control.shutdownNow();
    aliceEvents.shutdown();
    bobEvents.shutdown();
  }

  /** Mallory's peer connection facing one victim. */
  private final class Leg implements RtcConnection.Listener {
    private final String facing;
    private final List<Object[]> pending = new ArrayList<>();
    private volatile RtcConnection rtc;
    private boolean open;

    Leg(String facing) {
      this.facing = facing;
    }

    private Leg other() {
      return this == aliceLeg ? bobLeg : aliceLeg;
    }

    @Override
    public void onLocalCandidate(String candidate) {
      boolean toAlice = facing.equals("alice");
      Side side = toAlice ? MitmRelay.this.toAlice : toBob;
      side.deliver(EnvelopeCodec.encode(new Envelope(Envelope.Kind.CANDIDATE, room,
          toAlice ? "bob" : "alice", toAlice ? bobInstance : aliceInstance, facing, candidate)));
    }

    @Override
    public void onChannelOpen(String label) {
      (facing.equals("alice") ? aliceLegOpen : bobLegOpen).complete(null);
      List<Object[]> flush;
      synchronized (MitmRelay.this) {
        open = true;
        flush = new ArrayList<>(pending);
        pending.clear();
      }
      for (Object[] message : flush) {
        rtc.send((String) message[0], (byte[]) message[1], (Boolean) message[2]);
      }
    }

    @Override
    public void onChannelMessage(String label, byte[] data, boolean binary) {
      relayed.add(facing + "->" + other().facing + " " + new String(data, StandardCharsets.UTF_8));
      Leg target = other();
      synchronized (MitmRelay.this) {
        if (!target.open) {
          target.pending.add(new Object[] {label, data, binary});
          return;
        }
      }
      try {
        target.rtc.send(label, data, binary);
      } catch (RuntimeException e) {
        // the other leg closed; nothing left to relay to
      }
    }

    @Override
    public void onChannelClosed(String label) {}

    @Override
    public void onConnectionLost(String reason) {}
  }

  /** The signaling transport a victim is given; everything it sends goes to Mallory. */
  final class Side implements SignalingTransport {
    private final String owner;
    private volatile SignalingListener listener;
    private volatile TransportState state = TransportState.SUSPENDED;

    Side(String owner) {
      this.owner = owner;
    }

    @Override
    public CompletableFuture<Void> join(JoinSpec spec, SignalingListener listener) {
      this.listener = listener;
      state = TransportState.CONNECTED;
      listener.onStateChanged(TransportState.CONNECTED);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> send(String target, byte[] payload) {
      fromPeer(owner, payload.clone());
      return CompletableFuture.completedFuture(null);
    }

    void deliver(byte[] payload) {
      SignalingListener current = listener;
      if (current != null && state == TransportState.CONNECTED) {
        current.onPayload(payload);
      }
    }

    @Override
    public TransportState state() {
      return state;
    }

    @Override
    public void close() {
      state = TransportState.LOST;
    }
  }
}
