package io.rtchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT 5 broker of the backplane measure: {@code /usr/sbin/mosquitto} as a child process on a
 * free loopback port, configured in a temporary directory. Closing it ends only that process.
 */
final class BenchMosquitto implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Path dir;
  private final Process process;
  final int port;

  private BenchMosquitto(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Whether the broker binary is installed (Debian package {@code mosquitto}). */
  static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /** Starts a broker and waits until it accepts connections; retries on a port taken meanwhile. */
  static BenchMosquitto start() throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Path dir = Files.createTempDirectory("rtchat-bench-mosquitto-");
      try {
        return launch(dir, freePort());
      } catch (IllegalStateException e) {
        last = e;
        deleteQuietly(dir);
      }
    }
    throw last;
  }

  private static BenchMosquitto launch(Path dir, int port) throws Exception {
    Path config = dir.resolve("mosquitto.conf");
    Path log = dir.resolve("mosquitto.log");
    Files.writeString(config, String.join("\n",
        "listener " + port + " 127.0.0.1",
        "allow_anonymous true",
        "persistence false",
        "max_queued_messages 100000",
        "set_tcp_nodelay true",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        ""));
    Process process = new ProcessBuilder(BINARY.toString(), "-c", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    BenchMosquitto broker = new BenchMosquitto(dir, port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accepts(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String output = Files.exists(log) ? Files.readString(log).trim() : "";
        broker.stop();
        throw new IllegalStateException("mosquitto did not listen on " + port
            + (process.isAlive() ? " within 10 s" : ", exit " + process.exitValue()) + ": " + output);
      }
      Thread.sleep(20); // polling a child process's port
    }
    return broker;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  URI uri() {
    return URI.create("mqtt://127.0.0.1:" + port);
  }

  private void stop() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    deleteQuietly(dir);
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
