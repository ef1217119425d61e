package io.rtchat.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real peers over mem:// with real WebRTC data channels. */
class PeerSessionTest {

  private final String room = "room-" + UUID.randomUUID();
  private final URI uri = URI.create("mem://sessions/" + room);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final EventRecorder aliceEvents = new EventRecorder();
  private final EventRecorder bobEvents = new EventRecorder();
  @TempDir Path temp;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  private Peer join(Peer.Builder builder) throws Exception {
    Peer peer = builder.build();
    closeables.add(peer);
    peer.join().get(10, TimeUnit.SECONDS);
    return peer;
  }

  private PeerSession connectAliceToBob(Peer.Builder bob) throws Exception {
    Peer alice = join(Peer.builder().name("alice").signaling(uri).listener(aliceEvents));
    join(bob.name("bob").signaling(uri));
    aliceEvents.awaitEvent("connected", "bob");
    return alice.session("bob").orElseThrow();
  }

  private PeerSession connectAliceToBob() throws Exception {
    return connectAliceToBob(Peer.builder().listener(bobEvents));
  }

  @Test
  void jsonMessagesArriveAsJson() throws Exception {
    PeerSession toBob = connectAliceToBob();

    toBob.sendJson(Map.of("n", 42));

    await().atMost(EventRecorder.TIMEOUT).until(() -> bobEvents.has("message", "alice", "{\"n\":42}"));
  }

  @Test
  void askCompletesWithTheAnswerOfTheTopicHandler() throws Exception {
    PeerSession toBob = connectAliceToBob(Peer.builder().listener(bobEvents)
        .answer("upper", (from, content) -> CompletableFuture.completedFuture(content.toUpperCase())));

    assertThat(toBob.ask("upper", "hi", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS)).isEqualTo("HI");
    assertThat(toBob.ask("ping", "", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS)).isEqualTo("pong");
    bobEvents.awaitEvent("question", "alice", "upper:hi");
  }

  @Test
  void askFailsWithTheRemoteErrorWhenTheHandlerFailsOrTheTopicIsUnknown() throws Exception {
    PeerSession toBob = connectAliceToBob(Peer.builder().listener(bobEvents)
        .answer("broken", (from, content) -> { throw new IllegalStateException("disk on fire"); }));

    assertThatThrownBy(() -> toBob.ask("broken", "x", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RemoteErrorException.class)
        .hasMessageContaining("disk on fire");
    assertThatThrownBy(() -> toBob.ask("nobody-knows", "x", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RemoteErrorException.class).hasMessageContaining("nobody-knows");
  }

  @Test
  void askTimesOutWhenTheAnswerDoesNotCome() throws Exception {
    PeerSession toBob = connectAliceToBob(Peer.builder().listener(bobEvents)
        .answer("never", (from, content) -> new CompletableFuture<>()));

    assertThatThrownBy(() -> toBob.ask("never", "x", Duration.ofMillis(300)).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(toBob.ask("echo", "still fine", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS))
        .isEqualTo("still fine");
  }

  @Test
  void pendingQuestionsFailWhenTheSessionCloses() throws Exception {
    PeerSession toBob = connectAliceToBob(Peer.builder().listener(bobEvents)
        .answer("never", (from, content) -> new CompletableFuture<>()));
    CompletableFuture<String> answer = toBob.ask("never", "x", Duration.ofSeconds(30));

    toBob.close();

    assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(SessionClosedException.class);
    bobEvents.awaitEvent("disconnected", "alice");
  }

  @Test
  void twentyMebibytesArriveWithMatchingSha256() throws Exception {
    Path received = Files.createDirectories(temp.resolve("in"));
    PeerSession toBob = connectAliceToBob(Peer.builder().listener(bobEvents).receiveDirectory(received));
    Path file = temp.resolve("data.bin");
    byte[] content = new byte[20 * 1024 * 1024];
    new Random(7).nextBytes(content);
    Files.write(file, content);
    AtomicLong progress = new AtomicLong();

    TransferResult result = toBob.sendFile(file, (sent, total) -> progress.set(sent)).get(60, TimeUnit.SECONDS);

    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    assertThat(result.sha256()).isEqualTo(sha256);
    assertThat(progress.get()).isEqualTo(content.length);
    await().atMost(EventRecorder.TIMEOUT).until(() -> !bobEvents.files().isEmpty());
    ReceivedFile stored = bobEvents.files().get(0);
    assertThat(stored.sha256()).isEqualTo(sha256);
    assertThat(stored.path()).hasParent(received).hasBinaryContent(content);
  }

  @Test
  void aFileNamedToEscapeTheReceiveDirectoryStaysInside() throws Exception {
    Path received = Files.createDirectories(temp.resolve("in"));
    PeerSession toBob = connectAliceToBob(Peer.builder().listener(bobEvents).receiveDirectory(received));
    byte[] content = "payload".getBytes(StandardCharsets.UTF_8);

    toBob.sendStream("../../etc/passwd", new java.io.ByteArrayInputStream(content), content.length,
        TransferListener.NONE).get(10, TimeUnit.SECONDS);

    await().atMost(EventRecorder.TIMEOUT).until(() -> !bobEvents.files().isEmpty());
    ReceivedFile stored = bobEvents.files().get(0);
    assertThat(stored.renamed()).isTrue();
    assertThat(stored.path().getParent()).isEqualTo(received);
    assertThat(stored.path().getFileName().toString()).isEqualTo("passwd");
    assertThat(temp.resolve("etc")).doesNotExist();
  }

  @Test
  void filesAreRefusedWithoutAReceiveDirectory() throws Exception {
    PeerSession toBob = connectAliceToBob();
    byte[] content = new byte[100];

    assertThatThrownBy(() -> toBob.sendStream("x.bin", new java.io.ByteArrayInputStream(content), 100,
        TransferListener.NONE).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RemoteErrorException.class).hasMessageContaining("does not accept files");
  }

  @Test
  void anUnreadableFileFailsTheTransferAtOnce() throws Exception {
    PeerSession toBob = connectAliceToBob();

    assertThatThrownBy(() -> toBob.sendFile(temp.resolve("missing.bin"), TransferListener.NONE).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IOException.class).hasMessageContaining("missing.bin");
  }

  @Test
  void aThrowingListenerHarmsNeitherTheSessionNorTheJvm() throws Exception {
    EventRecorder throwing = new EventRecorder() {
      @Override
      public void onMessage(PeerSession session, Message message) {
        super.onMessage(session, message);
        throw new IllegalStateException("listener bug");
      }
    };
    PeerSession toBob = connectAliceToBob(Peer.builder().listener(throwing));

    toBob.send("first");
    toBob.send("second");

    await().atMost(EventRecorder.TIMEOUT).until(() -> throwing.has("message", "alice", "second"));
    assertThat(toBob.ask("echo", "alive", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS)).isEqualTo("alive");
  }

  @Test
  void sendingOnAClosedSessionFailsLoudly() throws Exception {
    PeerSession toBob = connectAliceToBob();

    toBob.close();

    assertThat(toBob.isOpen()).isFalse();
    assertThatThrownBy(() -> toBob.send("lost?")).isInstanceOf(SessionClosedException.class)
        .hasMessageContaining("bob");
    bobEvents.awaitEvent("disconnected", "alice");
  }

  @Test
  void anOversizeMessageIsRejectedAndTheSessionGoesOn() throws Exception {
    PeerSession toBob = connectAliceToBob();

    assertThatThrownBy(() -> toBob.send("x".repeat(Peer.MAX_MESSAGE_BYTES + 1)))
        .isInstanceOf(MessageTooLargeException.class).hasMessageContaining("sendFile");
    toBob.send("small");

    bobEvents.awaitEvent("message", "alice", "small");
  }

  @Test
  void malformedSignalingIsIgnoredAndPeersStillConnect() throws Exception {
    SignalingTransport vandal = SignalingTransports.providerFor(uri).create(uri);
    closeables.add(vandal);
    vandal.join(new io.rtchat.core.signal.JoinSpec(room, "vandal", null), new io.rtchat.core.signal.SignalingListener() {
      @Override
      public void onPayload(byte[] payload) {}

      @Override
      public void onStateChanged(io.rtchat.core.signal.TransportState state) {}
    }).get(5, TimeUnit.SECONDS);
    Peer alice = join(Peer.builder().name("alice").signaling(uri).listener(aliceEvents));

    for (String garbage : List.of("not json", "{}", "[1,2]", "{\"k\":\"o\",\"r\":\"" + room + "\",\"f\":\"x\",\"i\":\"1\",\"t\":\"alice\",\"b\":\"c1;garbage\"}",
        "{\"k\":\"z\",\"r\":\"" + room + "\",\"f\":\"x\",\"i\":\"1\"}", "{\"k\":\"a\",\"r\":\"" + room + "\",\"f\":5,\"i\":\"1\"}",
        "{\"k\":\"a\",\"r\":\"other-room\",\"f\":\"y\",\"i\":\"1\"}")) {
      vandal.send(null, garbage.getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    }
    join(Peer.builder().name("bob").signaling(uri).listener(bobEvents));

    aliceEvents.awaitEvent("connected", "bob");
    alice.session("bob").orElseThrow().send("unaffected");
    bobEvents.awaitEvent("message", "alice", "unaffected");
    assertThat(aliceEvents.has("connected", "y")).isFalse();
  }
}
