package io.rtchat.signal.mqtt;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.rtchat.core.signal.EnvelopeCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 3.1.1 broker in this JVM (Moquette 0.17, in memory), with a TCP listener and a WebSocket
 * listener at {@value MqttEndpoint#DEFAULT_WS_PATH}. For tests, examples and {@code rtchat server}.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.start(0, 0)) {
 *   URI signaling = URI.create("mqtt://127.0.0.1:" + broker.port() + "/lobby");
 * }
 * }</pre>
 *
 * <p>Anonymous clients are allowed: rooms are public, as on the public brokers RTChat uses. The
 * broker keeps no state on disk; Moquette's working files live in a temporary directory that
 * {@link #close()} deletes. Logs go through SLF4J.
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

  /**
   * Largest MQTT message the broker accepts. Above the transports' 64 KiB payload limit, so that
   * clients see (and drop) oversize payloads themselves, but bounded.
   */
  static final int MAX_MESSAGE_BYTES = 2 * EnvelopeCodec.MAX_BYTES;

  private final Server server;
  private final Path workDir;
  private final String host;
  private final int port;
  private final int webSocketPort;

  private EmbeddedBroker(Server server, Path workDir, String host, int port, int webSocketPort) {
    this.server = server;
    this.workDir = workDir;
    this.host = host;
    this.port = port;
    this.webSocketPort = webSocketPort;
  }

  /** Starts a broker on 127.0.0.1; a port of 0 picks a free one. */
  public static EmbeddedBroker start(int tcpPort, int webSocketPort) {
    return start("127.0.0.1", tcpPort, webSocketPort);
  }

  /**
   * Starts a broker listening on {@code host} (e.g. {@code 0.0.0.0} to serve other machines).
   *
   * @throws UncheckedIOException when a port is taken or the broker cannot start
   */
  public static EmbeddedBroker start(String host, int tcpPort, int webSocketPort) {
    checkPort(tcpPort);
    checkPort(webSocketPort);
    requireFree(host, tcpPort, "MQTT");
    requireFree(host, webSocketPort, "MQTT over WebSocket");
    // Moquette learns an ephemeral port asynchronously (getPort() may still say 0 right after
    // startServer) and never tells the WebSocket one: ephemeral ports are therefore picked here,
    // and picked again in the unlikely case someone takes one before Moquette binds it.
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int tcp = tcpPort != 0 ? tcpPort : freePort(host);
      int ws = webSocketPort != 0 ? webSocketPort : freePort(host);
      if (tcp == ws) {
        continue;
      }
      try {
        return startOnce(host, tcp, ws);
      } catch (IOException e) {
        last = e;
        if ((tcpPort != 0 && webSocketPort != 0) || !(rootCause(e) instanceof BindException)) {
          break;
        }
      }
    }
    throw new UncheckedIOException("cannot start the MQTT broker on " + host + " (tcp "
        + tcpPort + ", ws " + webSocketPort + "): "
        + (last == null ? "no free ports" : rootCause(last).getMessage()), last);
  }

  private static EmbeddedBroker startOnce(String host, int tcpPort, int webSocketPort)
      throws IOException {
    long started = System.nanoTime();
    Path workDir = Files.createTempDirectory("rtchat-mqtt-broker-");
    // Moquette leaves it empty with persistence off; should close() never run (a JVM exiting
    // without it), the empty directory still goes.
    workDir.toFile().deleteOnExit();
    Properties config = new Properties();
    config.setProperty("host", host);
    config.setProperty("port", Integer.toString(tcpPort));
    config.setProperty("websocket_port", Integer.toString(webSocketPort));
    config.setProperty("websocket_path", MqttEndpoint.DEFAULT_WS_PATH);
    config.setProperty("persistence_enabled", "false");
    config.setProperty("data_path", workDir.toString());
    config.setProperty("telemetry_enabled", "false");
    config.setProperty("allow_anonymous", "true");
    config.setProperty("allow_zero_byte_client_id", "true");
    config.setProperty("netty.epoll", "false");
    config.setProperty("netty.mqtt.message_size", Integer.toString(MAX_MESSAGE_BYTES));
    config.setProperty("immediate_buffer_flush", "true");
    Server server = new Server();
    try {
      server.startServer(new MemoryConfig(config));
    } catch (IOException | RuntimeException e) {
      stopQuietly(server);
      deleteTree(workDir);
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
    if (!accepts(host, tcpPort)) {
      stopQuietly(server);
      deleteTree(workDir);
      throw new BindException("MQTT broker did not open tcp port " + tcpPort + " on " + host);
    }
    log.info("MQTT broker listening on {}:{} (tcp) and {}:{}{} (ws), started in {} ms", host,
        tcpPort, host, webSocketPort, MqttEndpoint.DEFAULT_WS_PATH,
        (System.nanoTime() - started) / 1_000_000);
    return new EmbeddedBroker(server, workDir, host, tcpPort, webSocketPort);
  }

  public String host() {
    return host;
  }

  /** The TCP port (MQTT). */
  public int port() {
    return port;
  }

  /** The WebSocket port (MQTT over WebSocket at {@value MqttEndpoint#DEFAULT_WS_PATH}). */
  public int webSocketPort() {
    return webSocketPort;
  }

  /** Moquette's working directory, deleted on {@link #close()}. */
  Path workDir() {
    return workDir;
  }

  /**
   * {@code mqtt://host:port/room?version=3}: this broker speaks MQTT 3.1.1 only, and saying so
   * spares clients the MQTT 5 attempt (which Moquette logs as a warning).
   */
  public java.net.URI uri(String room) {
    return java.net.URI.create("mqtt://" + host + ":" + port + "/" + encode(room) + "?version=3");
  }

  /** {@code mqtt+ws://host:wsPort/mqtt?room=room&version=3}. */
  public java.net.URI webSocketUri(String room) {
    return java.net.URI.create("mqtt+ws://" + host + ":" + webSocketPort
        + MqttEndpoint.DEFAULT_WS_PATH + "?room=" + encode(room) + "&version=3");
  }

  private static String encode(String room) {
    return java.net.URLEncoder.encode(room, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  /** Stops the listeners, drops every client (their wills are published) and deletes the work dir. */
  @Override
  public synchronized void close() {
    stopQuietly(server);
    deleteTree(workDir);
    // The next broker on these ports may speak MQTT 5.
    Mqtt5Refusals.forgetPort(port);
    Mqtt5Refusals.forgetPort(webSocketPort);
    log.info("MQTT broker on {}:{} stopped", host, port);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stopServer();
    } catch (RuntimeException e) {
      log.debug("stopping the MQTT broker: {}", e.toString());
    }
  }

  private static void checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not in 0..65535");
    }
  }

  /**
   * Fails at once, in one line, when a fixed port cannot be bound (taken, or an address not of
   * this machine): Moquette would log the failed bind at length before failing.
   */
  private static void requireFree(String host, int port, String what) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the MQTT broker on " + host + ":" + port
          + " (" + what + "): " + e.getMessage(), e);
    }
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }

  private static boolean accepts(String host, int port) {
    String probe = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new InetSocketAddress(probe, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.debug("cannot delete {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", dir, e.toString());
    }
  }
}
