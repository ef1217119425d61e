package io.rtchat.signal.mqtt;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.core.Message;
import io.rtchat.core.Peer;
import io.rtchat.core.PeerListener;
import io.rtchat.core.PeerSession;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The two-peer example of the module README, with ephemeral ports and no sleep. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeExampleTest {

  @Test
  void twoPeersChatOverTheEmbeddedBroker() throws Exception {
    CompletableFuture<String> printed = new CompletableFuture<>();
    try (EmbeddedBroker broker = EmbeddedBroker.start(0, 0)) {
      URI lobby = URI.create("mqtt://127.0.0.1:" + broker.port() + "/lobby");
      try (Peer alice = Peer.builder().name("alice").signaling(lobby).listener(new PeerListener() {
            @Override public void onMessage(PeerSession from, Message m) {
              printed.complete(from.remoteName() + ": " + m.text()); } }).build();
          Peer bob = Peer.builder().name("bob").signaling(lobby).listener(new PeerListener() {
            @Override public void onConnected(PeerSession alice) {
              alice.send("hello over MQTT signaling"); } }).build()) {
        alice.join().get(10, SECONDS);
        bob.join().get(10, SECONDS);

        assertThat(printed.get(30, SECONDS)).isEqualTo("bob: hello over MQTT signaling");
      }
    }
  }
}
