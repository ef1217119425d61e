package io.rtchat.core.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RtcConnectionTest {

  private final ExecutorService offererEvents = Executors.newSingleThreadExecutor();
  private final ExecutorService answererEvents = Executors.newSingleThreadExecutor();
  private final Recorder offererSide = new Recorder();
  private final Recorder answererSide = new Recorder();
  private RtcConnection offerer;
  private RtcConnection answerer;

  @AfterEach
  void close() {
    if (offerer != null) {
      offerer.close();
    }
    if (answerer != null) {
      answerer.close();
    }
    offererEvents.shutdownNow();
    answererEvents.shutdownNow();
  }

  @Test
  void compactSdpNegotiationOpensAChannelThatCarriesMessagesBothWays() throws Exception {
    connect();

    offerer.send("chat", "hello".getBytes(StandardCharsets.UTF_8), false);
    answerer.send("chat", new byte[] {1, 2, 3}, true);

    await().atMost(Duration.ofSeconds(10)).until(() -> !answererSide.messages.isEmpty()
        && !offererSide.messages.isEmpty());
    assertThat(answererSide.messages).containsExactly("chat:text:hello");
    assertThat(offererSide.messages).containsExactly("chat:binary:3");
    assertThat(CompactSdp.dtlsFingerprint(offerer.localSdp()))
        .isEqualTo(CompactSdp.dtlsFingerprint(answerer.remoteSdp()));
  }

  @Test
  void sendingAfterCloseFailsLoudlyInsteadOfDropping() throws Exception {
    connect();
    offerer.close();

    assertThatThrownBy(() -> offerer.send("chat", new byte[1], true))
        .isInstanceOf(RtcChannelClosedException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> answererSide.closed.contains("chat")
        || answererSide.lost.size() > 0);
  }

  @Test
  void oversizeMessageIsRejectedBeforeReachingTheChannel() throws Exception {
    connect();

    assertThatThrownBy(() -> offerer.send("chat", new byte[RtcConnection.MAX_MESSAGE_BYTES + 1], true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
    offerer.send("chat", "still open".getBytes(StandardCharsets.UTF_8), false);
    await().atMost(Duration.ofSeconds(10)).until(() -> answererSide.messages.contains("chat:text:still open"));
  }

  @Test
  void aClosedConnectionCanBeCollectedWhileTheEngineLivesOn() throws Exception {
    connect();
    // received through a data-channel observer, which webrtc-java never frees
    offerer.send("chat", "hello".getBytes(StandardCharsets.UTF_8), false);
    await().atMost(Duration.ofSeconds(10)).until(() -> !answererSide.messages.isEmpty());
    WeakReference<RtcConnection> closed = new WeakReference<>(answerer);

    answerer.close(); // the offerer stays open, and with it the engine's factory
    answerer = null;

    await().atMost(Duration.ofSeconds(20)).until(() -> {
      System.gc();
      return closed.get() == null;
    });
  }

  private void connect() throws Exception {
    offerer = RtcEngine.get().open(List.of(), new Listener(offererSide, () -> answerer), offererEvents);
    answerer = RtcEngine.get().open(List.of(), new Listener(answererSide, () -> offerer), answererEvents);
    offerer.createChannel("chat");
    String offer = CompactSdp.compact(offerer.createOffer().get(10, TimeUnit.SECONDS));
    assertThat(offer).startsWith("c1;");
    String answer = CompactSdp.compact(answerer.acceptOffer(CompactSdp.expand(offer)).get(10, TimeUnit.SECONDS));
    offerer.applyAnswer(CompactSdp.expand(answer)).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> offererSide.opened.contains("chat") && answererSide.opened.contains("chat"));
  }

  private static final class Recorder {
    final List<String> opened = new CopyOnWriteArrayList<>();
    final List<String> closed = new CopyOnWriteArrayList<>();
    final List<String> lost = new CopyOnWriteArrayList<>();
    final List<String> messages = new CopyOnWriteArrayList<>();
  }

  private record Listener(Recorder recorder, java.util.function.Supplier<RtcConnection> other)
      implements RtcConnection.Listener {
    @Override
    public void onLocalCandidate(String candidate) {
      other.get().addRemoteCandidate(candidate);
    }

    @Override
    public void onChannelOpen(String label) {
      recorder.opened.add(label);
    }

    @Override
    public void onChannelMessage(String label, byte[] data, boolean binary) {
      recorder.messages.add(label + (binary ? ":binary:" + data.length
          : ":text:" + new String(data, StandardCharsets.UTF_8)));
    }

    @Override
    public void onChannelClosed(String label) {
      recorder.closed.add(label);
    }

    @Override
    public void onConnectionLost(String reason) {
      recorder.lost.add(reason);
    }
  }
}
