package io.rtchat.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto (Debian package {@code mosquitto}) as a child process on a free loopback port,
 * configured in a temporary directory; {@link #restart()} brings it back on the same port. Shared
 * with rtchat-cli's tests through this module's test jar.
 */
public final class Mosquitto implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Path dir;
  private final Path config;
  final int port;
  private Process process;

  private Mosquitto(Path dir, int port) throws IOException {
    this.dir = dir;
    this.port = port;
    this.config = dir.resolve("mosquitto.conf");
    Files.writeString(config, String.join("\n",
        "listener " + port + " 127.0.0.1",
        "allow_anonymous true",
        "persistence false",
        // a burst of 1 000 QoS 1 messages must not be dropped for a subscriber that is a little behind
        "max_queued_messages 100000",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        ""));
  }

  public static Mosquitto start() {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: these tests need a real Mosquitto (apt-get install -y mosquitto)");
    }
    for (int attempt = 1; ; attempt++) {
      Path dir = null;
      try {
        dir = Files.createTempDirectory("rtchat-server-mosquitto-");
        Mosquitto m = new Mosquitto(dir, freePort());
        m.launch();
        return m;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalStateException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** A free port below the ephemeral range, so that no outgoing connection takes it while the broker restarts. */
  private static int freePort() throws IOException {
    for (int i = 0; i < 100; i++) {
      int p = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", p));
        return p;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port found");
  }

  public URI uri() {
    return URI.create("mqtt://127.0.0.1:" + port);
  }

  private void launch() throws IOException {
    process = new ProcessBuilder(BINARY.toString(), "-c", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": "
            + Files.readString(dir.resolve("mosquitto.log")));
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new IllegalStateException("mosquitto did not listen on " + port + " within 10 s");
      }
      try {
        Thread.sleep(20); // polling a child process's port, not test synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the broker (its retained state is lost: persistence is off). */
  void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops and starts it again on the same port. */
  void restart() throws IOException {
    stop();
    launch();
  }

  @Override
  public void close() {
    stop();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
