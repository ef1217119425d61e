package io.rtchat.signal.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import io.rtchat.core.signal.TransportState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code username}/{@code password} against a Mosquitto that admits only known users. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MosquittoAuthTest {

  private static MosquittoBroker broker;
  private final Deque<SignalingTransport> transports = new ArrayDeque<>();

  @BeforeAll
  static void startBroker() {
    broker = MosquittoBroker.start(MosquittoAuthTest::passwordFile);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @AfterEach
  void closeTransports() {
    while (!transports.isEmpty()) {
      transports.pop().close();
    }
  }

  @Test
  void credentialsFromOptionsOrUserInfoAreAccepted() throws Exception {
    join(URI.create("mqtt://127.0.0.1:" + broker.port() + "/lobby?username=alice&password=s3cr%26t"));
    join(URI.create("mqtt://alice:s3cr%26t@127.0.0.1:" + broker.port() + "/lobby?version=3"));

    assertThat(transports).allMatch(t -> t.state() == TransportState.CONNECTED);
  }

  @Test
  void wrongOrMissingCredentialsFailTheJoinAtOnce() {
    for (String query : List.of("username=alice&password=wrong", "version=3&username=alice",
        "")) {
      URI uri = URI.create("mqtt://127.0.0.1:" + broker.port() + "/lobby?" + query);
      SignalingTransport transport = SignalingTransports.providerFor(uri).create(uri);
      transports.push(transport);
      long started = System.nanoTime();

      CompletableFuture<Void> joined =
          transport.join(new JoinSpec("lobby", "mallory", null), new RecordingListener());

      assertThatThrownBy(() -> joined.get(10, TimeUnit.SECONDS))
          .as(query)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SignalingException.class)
          .cause().hasMessageContaining("127.0.0.1:" + broker.port())
          .hasMessageContaining("username and password");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }

  private void join(URI uri) throws Exception {
    SignalingTransport transport = SignalingTransports.providerFor(uri).create(uri);
    transports.push(transport);
    transport.join(new JoinSpec("lobby", "alice", "bye".getBytes(UTF_8)), new RecordingListener())
        .get(10, TimeUnit.SECONDS);
  }

  /** alice / s3cr&t, written with mosquitto_passwd, readable by the mosquitto user. */
  private static List<String> passwordFile(Path dir) {
    Path file = dir.resolve("passwords");
    try {
      Process process = new ProcessBuilder("/usr/bin/mosquitto_passwd", "-b", "-c",
          file.toString(), "alice", "s3cr&t").redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("mosquitto_passwd failed: " + output);
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return List.of("allow_anonymous false", "password_file " + file);
  }
}
