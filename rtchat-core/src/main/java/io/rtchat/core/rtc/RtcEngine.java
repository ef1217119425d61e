package io.rtchat.core.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that touches webrtc-java. Owns the one process-wide {@link PeerConnectionFactory}
 * (see WEBRTC-JAVA.md for why there is only one) and guards every native call so that nothing
 * uses a connection after the factory is disposed.
 *
 * <p>The factory is created on first use and disposed when the last connection has been closed for
 * {@link #IDLE_DISPOSE_MILLIS}: the native signaling thread is non-daemon once it has run a
 * callback, so a program that closes its peers and returns from {@code main} would otherwise never
 * exit. {@link #shutdown()} disposes at once.
 *
 * <p>The factory is disposed only under the write side of {@link #nativeLock} and with no
 * connection open; every native call holds the read side ({@link #guarded}). Within a connection,
 * {@link RtcConnection} orders its calls against its own close.
 */
public final class RtcEngine {

  static final long IDLE_DISPOSE_MILLIS = 3_000;

  private static final Logger log = LoggerFactory.getLogger(RtcEngine.class);

  // The one static mutable state of the project: libwebrtc wants one factory per process.
  private static final RtcEngine INSTANCE = new RtcEngine();

  private final ReentrantReadWriteLock nativeLock = new ReentrantReadWriteLock();
  private final Set<RtcConnection> connections = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "rtchat-engine-timer");
    thread.setDaemon(true);
    return thread;
  });
  private PeerConnectionFactory factory;
  private ScheduledFuture<?> idleDisposal;
  /** Open {@link Hold}s; guarded by the write side of {@link #nativeLock}. */
  private int holds;
  private boolean hookInstalled;

  /** Keeps the factory from idle disposal while open; see {@link #hold()}. */
  public interface Hold extends AutoCloseable {
    /** Idempotent. */
    @Override
    void close();
  }

  private RtcEngine() {}

  public static RtcEngine get() {
    return INSTANCE;
  }

  /**
   * Opens a connection with the given ICE servers ({@code stun:}/{@code turn:} URLs; empty for host
   * candidates only).
   */
  public RtcConnection open(List<String> iceServerUrls, RtcConnection.Listener listener,
      java.util.concurrent.Executor events) {
    nativeLock.writeLock().lock();
    try {
      cancelIdleDisposal();
      if (factory == null) {
        long start = System.nanoTime();
        factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        log.debug("webrtc factory created in {} ms", (System.nanoTime() - start) / 1_000_000);
        installShutdownHook();
      }
      RTCConfiguration config = new RTCConfiguration();
      for (String url : iceServerUrls) {
        RTCIceServer server = new RTCIceServer();
        server.urls.add(url);
        config.iceServers.add(server);
      }
      RtcConnection connection = new RtcConnection(this, listener, events);
      RTCPeerConnection native_ = factory.createPeerConnection(config, connection.observer());
      if (native_ == null) {
        throw new RtcException("webrtc refused to create a peer connection");
      }
      connection.attach(native_);
      connections.add(connection);
      return connection;
    } finally {
      nativeLock.writeLock().unlock();
    }
  }

  /**
   * Keeps the factory (once created) alive while the handle is open, even with no connection
   * open, as in a long-running process: a benchmark between its steps, a test that must not see
   * the factory disposed and created again between cycles.
   */
  public Hold hold() {
    nativeLock.writeLock().lock();
    try {
      holds++;
      cancelIdleDisposal();
    } finally {
      nativeLock.writeLock().unlock();
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        nativeLock.writeLock().lock();
        try {
          holds--;
          scheduleIdleDisposal();
        } finally {
          nativeLock.writeLock().unlock();
        }
      }
    };
  }

  /** Number of connections not yet closed; for tests and metrics. */
  public int openConnections() {
    return connections.size();
  }

  /**
   * Runs a native call unless the engine has been disposed meanwhile; returns {@code null} then.
   * Callers already checked their own closed flag; this guards against disposal racing them.
   */
  <T> T guarded(Function<PeerConnectionFactory, T> call) {
    nativeLock.readLock().lock();
    try {
      return factory == null ? null : call.apply(factory);
    } finally {
      nativeLock.readLock().unlock();
    }
  }

  void closed(RtcConnection connection) {
    if (connections.remove(connection) && connections.isEmpty()) {
      nativeLock.writeLock().lock();
      try {
        scheduleIdleDisposal();
      } finally {
        nativeLock.writeLock().unlock();
      }
    }
  }

  /** With nothing open or held, disposes the factory after {@link #IDLE_DISPOSE_MILLIS}. Holds the write lock. */
  private void scheduleIdleDisposal() {
    if (connections.isEmpty() && holds == 0 && factory != null) {
      cancelIdleDisposal();
      idleDisposal = timer.schedule(this::disposeIfIdle, IDLE_DISPOSE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void disposeIfIdle() {
    nativeLock.writeLock().lock();
    try {
      if (holds == 0 && connections.isEmpty()) {
        disposeFactory();
      }
    } finally {
      nativeLock.writeLock().unlock();
    }
  }

  /** Closes every connection and disposes the factory. Safe to call more than once. */
  public void shutdown() {
    for (RtcConnection connection : List.copyOf(connections)) {
      connection.close();
    }
    disposeFactory();
  }

  private void disposeFactory() {
    nativeLock.writeLock().lock();
    try {
      cancelIdleDisposal();
      if (factory != null && connections.isEmpty()) {
        factory.dispose();
        factory = null;
        log.debug("webrtc factory disposed");
      }
    } catch (Throwable t) {
      log.warn("disposing the webrtc factory failed", t);
    } finally {
      nativeLock.writeLock().unlock();
    }
  }

  private void cancelIdleDisposal() {
    if (idleDisposal != null) {
      idleDisposal.cancel(false);
      idleDisposal = null;
    }
  }

  private void installShutdownHook() {
    if (!hookInstalled) {
      hookInstalled = true;
      Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "rtchat-engine-shutdown"));
    }
  }
}
