package io.rtchat.signal.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Mosquitto (Debian package {@code mosquitto}) started as a child process on a free
 * loopback port, with its configuration in a temporary directory.
 */
final class MosquittoBroker implements TestBroker {

  static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Path dir;
  private final Path config;
  private final int port;
  private final int webSocketPort;
  private Process process;

  private MosquittoBroker(Path dir, Path config, int port, int webSocketPort) {
    this.dir = dir;
    this.config = config;
    this.port = port;
    this.webSocketPort = webSocketPort;
  }

  static MosquittoBroker start() {
    return start(dir -> java.util.List.of());
  }

  /**
   * Also with an MQTT-over-WebSocket listener. (Mosquitto 2.0.11 refuses to start with a WebSocket
   * listener alone, "Unable to start any listening sockets"; next to a TCP listener it works.)
   */
  static MosquittoBroker startWithWebSocket() {
    return startWithWebSocket(dir -> java.util.List.of());
  }

  /** Both listeners, each with the lines of {@code listenerOptions} (TLS on both, say). */
  static MosquittoBroker startWithWebSocket(
      java.util.function.Function<Path, java.util.List<String>> listenerOptions) {
    return start(listenerOptions, true);
  }

  /**
   * Starts Mosquitto with extra lines for its listener, written by {@code listenerOptions} given
   * the broker's temporary directory (for certificate files, say).
   */
  static MosquittoBroker start(
      java.util.function.Function<Path, java.util.List<String>> listenerOptions) {
    return start(listenerOptions, false);
  }

  private static MosquittoBroker start(
      java.util.function.Function<Path, java.util.List<String>> listenerOptions,
      boolean webSocket) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: these tests need a real Mosquitto. "
          + "Run the test command of rtchat-signal-mqtt/README.md (./run-tests, which installs "
          + "it) or apt-get install -y mosquitto.");
    }
    // The port was free a moment ago; if someone took it meanwhile, try another.
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(listenerOptions, webSocket);
      } catch (IllegalStateException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static MosquittoBroker startOnce(
      java.util.function.Function<Path, java.util.List<String>> listenerOptions,
      boolean webSocket) {
    try {
      Path dir = Files.createTempDirectory("rtchat-mosquitto-");
      int port = TestPorts.freeNonEphemeralPort(); // restarted on it: see TestPorts
      Path config = dir.resolve("mosquitto.conf");
      java.util.List<String> lines = new java.util.ArrayList<>();
      java.util.List<String> options = listenerOptions.apply(dir);
      lines.add("listener " + port + " 127.0.0.1");
      lines.addAll(options);
      int webSocketPort = 0;
      if (webSocket) {
        do {
          webSocketPort = TestPorts.freeNonEphemeralPort();
        } while (webSocketPort == port);
        lines.add("listener " + webSocketPort + " 127.0.0.1");
        lines.add("protocol websockets");
        lines.addAll(options);
      }
      if (lines.stream().noneMatch(line -> line.startsWith("allow_anonymous"))) {
        lines.add("allow_anonymous true");
      }
      lines.addAll(java.util.List.of("persistence false",
          "log_dest stderr", "log_type error", "log_type warning", ""));
      Files.writeString(config, String.join("\n", lines));
      MosquittoBroker broker = new MosquittoBroker(dir, config, port, webSocketPort);
      try {
        broker.launch();
      } catch (IllegalStateException e) {
        broker.close();
        throw e;
      }
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void launch() {
    try {
      process = new ProcessBuilder(BINARY.toString(), "-c", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
          .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!accepts(port) || (webSocketPort != 0 && !accepts(webSocketPort))) {
        if (!process.isAlive()) {
          throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": "
              + Files.readString(dir.resolve("mosquitto.log")));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("mosquitto did not open port " + port + " in 10 s");
        }
        process.waitFor(20, TimeUnit.MILLISECONDS); // poll interval, returns early if it exits
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String name() {
    return "mosquitto";
  }

  @Override
  public int port() {
    return port;
  }

  int webSocketPort() {
    return webSocketPort;
  }

  @Override
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public synchronized void restart() {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
