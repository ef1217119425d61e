package io.rtchat.core.rtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebRTC peer connection with its data channels. Native callbacks never throw, copy what they
 * receive and hand it to the connection's event executor, which must be serial; so listener methods
 * run one at a time, never on the native signaling thread.
 *
 * <p>What keeps libwebrtc from crashing the JVM (a native object used after its disposal is a
 * SIGSEGV, not an exception):
 * <ul>
 *   <li>The application's threads make native calls only through {@link #whileOpen}, which holds
 *       the read side of {@link #lifecycle} and checks {@link #closed} under it; {@link #close()}
 *       sets that flag and disposes the channels under the write side. So no call overlaps or
 *       follows a channel's disposal, however threads race. (They did: one thread said goodbye on
 *       a session while another closed its connection, and libwebrtc ran the send on the freed
 *       channel.) Calls may overlap each other: libwebrtc serializes them itself.
 *   <li>Native callbacks never wait for {@link #lifecycle} (the one that calls back into a channel
 *       only tries it), and the event executor must never run a task on the thread that hands it
 *       over: a thread holding the lock may be waiting for the signaling thread the callbacks run
 *       on.
 *   <li>Native calls also hold the engine's read lock ({@link RtcEngine#guarded}), and the engine
 *       disposes its factory only with no connection open.
 * </ul>
 */
public final class RtcConnection implements AutoCloseable {

  /** Largest single message a data channel carries; libwebrtc closes the channel beyond it. */
  public static final int MAX_MESSAGE_BYTES = 256 * 1024;

  /** How long an offer or answer waits for ICE gathering before going out with what it has. */
  static final long GATHERING_WAIT_MILLIS = 1_500;

  private static final Logger log = LoggerFactory.getLogger(RtcConnection.class);

  /** Events of one connection, delivered serially on its event executor. */
  public interface Listener {
    /** A local candidate found after the description was handed out (trickle ICE). */
    void onLocalCandidate(String candidate);

    void onChannelOpen(String label);

    /** A message; {@code data} is a private copy. */
    void onChannelMessage(String label, byte[] data, boolean binary);

    void onChannelClosed(String label);

    /** ICE or DTLS failed, or the connection closed underneath. */
    void onConnectionLost(String reason);
  }

  private final RtcEngine engine;
  private final Listener listener;
  private final Executor events;
  // webrtc-java 0.14.0 never frees data-channel observers: the observers we hand it reach this
  // connection only through the tether, which close() cuts, so that a closed connection and all
  // behind it (the application's session, its peer, their thread pools) can be collected.
  private final AtomicReference<RtcConnection> tether = new AtomicReference<>(this);
  private final Map<String, RTCDataChannel> channels = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> gathered = new CompletableFuture<>();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile RTCPeerConnection native_;
  private volatile boolean descriptionHandedOut;
  private volatile boolean closed;

  RtcConnection(RtcEngine engine, Listener listener, Executor events) {
    this.engine = engine;
    this.listener = listener;
    this.events = events;
  }

  void attach(RTCPeerConnection peerConnection) {
    this.native_ = peerConnection;
  }

  /** Creates a negotiated-in-band, reliable, ordered data channel; call before {@link #createOffer}. */
  public void createChannel(String label) {
    call(() -> {
      RTCDataChannelInit init = new RTCDataChannelInit();
      init.ordered = true;
      RTCDataChannel channel = native_.createDataChannel(label, init);
      register(label, channel);
    });
  }

  /** Creates the offer and returns its SDP once ICE gathering completed or timed out. */
  public CompletableFuture<String> createOffer() {
    CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
    call(() -> native_.createOffer(new RTCOfferOptions(), describeInto(created)));
    return created.thenCompose(this::applyLocal);
  }

  /** Applies a remote offer and returns the answer's SDP once gathering completed or timed out. */
  public CompletableFuture<String> acceptOffer(String offerSdp) {
    return applyRemote(RTCSdpType.OFFER, offerSdp).thenCompose(ignored -> {
      CompletableFuture<RTCSessionDescription> created = new CompletableFuture<>();
      call(() -> native_.createAnswer(new RTCAnswerOptions(), describeInto(created)));
      return created;
    }).thenCompose(this::applyLocal);
  }

  /** Applies the remote answer to our offer. */
  public CompletableFuture<Void> applyAnswer(String answerSdp) {
    return applyRemote(RTCSdpType.ANSWER, answerSdp);
  }

  /** Adds a remote ICE candidate ({@code candidate:...} line) for the first media section. */
  public void addRemoteCandidate(String candidate) {
    call(() -> native_.addIceCandidate(new RTCIceCandidate("0", 0, candidate)));
  }

  /** SDP of the local description in use, or {@code null}. */
  public String localSdp() {
    return describe(true);
  }

  /** SDP of the remote description in use, or {@code null}. */
  public String remoteSdp() {
    return describe(false);
  }

  private String describe(boolean local) {
    RTCSessionDescription description = whileOpen(() -> local
        ? native_.getLocalDescription() : native_.getRemoteDescription());
    return description == null ? null : description.sdp;
  }

  /**
   * Sends one message on an open channel.
   *
   * @throws RtcChannelClosedException when the channel is not open (libwebrtc would drop it)
   * @throws IllegalArgumentException when the message exceeds {@link #MAX_MESSAGE_BYTES}
   */
  public void send(String label, byte[] data, boolean binary) {
    if (data.length > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("message of " + data.length
          + " bytes exceeds the data channel limit of " + MAX_MESSAGE_BYTES);
    }
    // A heap buffer is sent whole, from 0 to capacity: data is an exact-size array.
    RTCDataChannelBuffer buffer = new RTCDataChannelBuffer(ByteBuffer.wrap(data), binary);
    Boolean sent = whileOpen(() -> {
      RTCDataChannel channel = channels.get(label);
      if (channel == null || channel.getState() != RTCDataChannelState.OPEN) {
        return false;
      }
      try {
        channel.send(buffer);
        return true;
      } catch (Exception e) {
        throw new RtcException("data channel send failed: " + e.getMessage());
      }
    });
    if (sent == null || !sent) {
      throw new RtcChannelClosedException("data channel '" + label + "' is not open");
    }
  }

  /** Bytes queued on the channel and not yet sent; 0 when closed. */
  public long bufferedAmount(String label) {
    Long amount = whileOpen(() -> {
      RTCDataChannel channel = channels.get(label);
      return channel == null ? 0L : channel.getBufferedAmount();
    });
    return amount == null ? 0 : amount;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Closes channels, then the connection. Idempotent; never touches native objects twice. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        engine.guarded(f -> {
          for (RTCDataChannel channel : channels.values()) {
            try {
              channel.unregisterObserver();
              channel.close();
              channel.dispose();
            } catch (Throwable t) {
              log.debug("closing a data channel failed", t);
            }
          }
          if (native_ != null) {
            native_.close();
          }
          return null;
        });
      } catch (Throwable t) {
        log.debug("closing a peer connection failed", t);
      } finally {
        channels.clear();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
    // Outside the lock: the negotiation's continuations run here, and the engine takes its own.
    tether.set(null);
    gathered.complete(null);
    engine.closed(this);
  }

  private CompletableFuture<String> applyLocal(RTCSessionDescription description) {
    CompletableFuture<Void> applied = new CompletableFuture<>();
    call(() -> native_.setLocalDescription(description, completeInto(applied)));
    return applied
        .thenCompose(ignored -> gathered.completeOnTimeout(null, GATHERING_WAIT_MILLIS,
            TimeUnit.MILLISECONDS))
        .thenApply(ignored -> {
          descriptionHandedOut = true;
          String sdp = localSdp();
          if (sdp == null) {
            throw new RtcChannelClosedException("connection closed during negotiation");
          }
          return sdp;
        });
  }

  private CompletableFuture<Void> applyRemote(RTCSdpType type, String sdp) {
    CompletableFuture<Void> applied = new CompletableFuture<>();
    call(() -> native_.setRemoteDescription(new RTCSessionDescription(type, sdp),
        completeInto(applied)));
    return applied;
  }

  /** Runs a native call on a live connection, turning disposal and exceptions into RtcException. */
  private void call(Runnable nativeCall) {
    Object done = whileOpen(() -> {
      nativeCall.run();
      return Boolean.TRUE;
    });
    if (done == null) {
      throw new RtcChannelClosedException(closed ? "connection is closed"
          : "webrtc engine was shut down");
    }
  }

  /**
   * Runs native calls unless the connection is closed or the engine disposed; returns {@code null}
   * then. {@link #close()} waits for calls in progress, and none starts after it.
   */
  private <T> T whileOpen(Supplier<T> nativeCalls) {
    lifecycle.readLock().lock();
    try {
      return closed ? null : engine.guarded(f -> nativeCalls.get());
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private CreateSessionDescriptionObserver describeInto(
      CompletableFuture<RTCSessionDescription> result) {
    return new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        hand(() -> result.complete(description), result);
      }

      @Override
      public void onFailure(String error) {
        hand(() -> result.completeExceptionally(new RtcException(error)), result);
      }
    };
  }

  private SetSessionDescriptionObserver completeInto(CompletableFuture<Void> result) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        hand(() -> result.complete(null), result);
      }

      @Override
      public void onFailure(String error) {
        hand(() -> result.completeExceptionally(new RtcException(error)), result);
      }
    };
  }

  /**
   * Completes a negotiation step on the event executor, never on the native thread; if the
   * executor refuses (closed, full), the step fails instead of throwing into native code.
   */
  private void hand(Runnable completion, CompletableFuture<?> result) {
    try {
      events.execute(completion);
    } catch (Throwable t) {
      // Off the native thread: continuations of the failure touch native objects.
      CompletableFuture.runAsync(() -> result.completeExceptionally(
          new RtcChannelClosedException("connection closed during negotiation")));
    }
  }

  private void register(String label, RTCDataChannel channel) {
    channels.put(label, channel);
    channel.registerObserver(channelObserver(tether, label, channel));
  }

  PeerConnectionObserver observer() {
    return connectionObserver(tether);
  }

  // The observers are built in static methods so that they capture the tether, not this.

  private static RTCDataChannelObserver channelObserver(AtomicReference<RtcConnection> tether,
      String label, RTCDataChannel channel) {
    return new RTCDataChannelObserver() {
      @Override
      public void onBufferedAmountChange(long previousAmount) {
        // Never fires in 0.14.0; senders poll getBufferedAmount() instead.
      }

      @Override
      public void onStateChange() {
        deliver(tether, "data channel state",
            connection -> connection.channelStateChanged(label, channel));
      }

      @Override
      public void onMessage(RTCDataChannelBuffer buffer) {
        deliver(tether, "data channel message", connection -> connection.received(label, buffer));
      }
    };
  }

  private static PeerConnectionObserver connectionObserver(AtomicReference<RtcConnection> tether) {
    return new PeerConnectionObserver() {
      @Override
      public void onIceCandidate(RTCIceCandidate candidate) {
        deliver(tether, "ice candidate", connection -> connection.localCandidate(candidate));
      }

      @Override
      public void onIceGatheringChange(RTCIceGatheringState state) {
        deliver(tether, "ice gathering", connection -> connection.gatheringChanged(state));
      }

      @Override
      public void onConnectionChange(RTCPeerConnectionState state) {
        deliver(tether, "connection state", connection -> connection.connectionChanged(state));
      }

      @Override
      public void onDataChannel(RTCDataChannel channel) {
        deliver(tether, "incoming data channel",
            connection -> connection.register(channel.getLabel(), channel));
      }
    };
  }

  /** Runs a native callback against its connection unless that was closed; never throws. */
  private static void deliver(AtomicReference<RtcConnection> tether, String callback,
      Consumer<RtcConnection> handler) {
    try {
      RtcConnection connection = tether.get();
      if (connection != null) {
        handler.accept(connection);
      }
    } catch (Throwable t) {
      log.warn("{} callback failed", callback, t);
    }
  }

  private void channelStateChanged(String label, RTCDataChannel channel) {
    // Only tries the lock: the close holding it may be waiting for this very (signaling) thread,
    // and its channels' state events would be dropped anyway.
    if (!lifecycle.readLock().tryLock()) {
      return;
    }
    RTCDataChannelState state;
    try {
      if (closed) {
        return;
      }
      state = channel.getState();
    } finally {
      lifecycle.readLock().unlock();
    }
    if (state == RTCDataChannelState.OPEN) {
      post(() -> listener.onChannelOpen(label));
    } else if (state == RTCDataChannelState.CLOSED) {
      post(() -> listener.onChannelClosed(label));
    }
  }

  private void received(String label, RTCDataChannelBuffer buffer) {
    // The native buffer is freed when this callback returns: copy it now.
    ByteBuffer data = buffer.data;
    byte[] copy = new byte[data.remaining()];
    data.get(copy);
    boolean binary = buffer.binary;
    post(() -> listener.onChannelMessage(label, copy, binary));
  }

  private void localCandidate(RTCIceCandidate candidate) {
    if (descriptionHandedOut) {
      String line = candidate.sdp;
      post(() -> listener.onLocalCandidate(line));
    }
  }

  private void gatheringChanged(RTCIceGatheringState state) {
    if (state == RTCIceGatheringState.COMPLETE) {
      // Completing here would run the negotiation's continuation on the native thread.
      post(() -> gathered.complete(null));
    }
  }

  private void connectionChanged(RTCPeerConnectionState state) {
    if (state == RTCPeerConnectionState.FAILED || state == RTCPeerConnectionState.CLOSED) {
      String reason = "peer connection " + state.name().toLowerCase();
      post(() -> listener.onConnectionLost(reason));
    }
  }

  private void post(Runnable event) {
    if (closed) {
      return;
    }
    try {
      events.execute(() -> {
        if (!closed) {
          try {
            event.run();
          } catch (Throwable t) {
            log.warn("connection event handler failed", t);
          }
        }
      });
    } catch (Throwable t) {
      log.warn("connection event dropped: {}", t.toString());
    }
  }
}
