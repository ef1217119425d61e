package io.rtchat.signal.ws;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.Message;
import io.rtchat.core.Peer;
import io.rtchat.core.PeerListener;
import io.rtchat.core.PeerSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's two-peer example, so that it keeps compiling and working. */
@Timeout(60)
class ReadmeExampleTest {

  @Test
  void twoPeersChatThroughAStandaloneRelay() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    // --- as in README.md
    try (StandaloneRelay relay = StandaloneRelay.start(0);
         Peer alice = Peer.builder().name("alice").signaling(relay.uri("demo")).build();
         Peer bob = Peer.builder().name("bob").signaling(relay.uri("demo")).listener(new PeerListener() {
           @Override public void onMessage(PeerSession from, Message m) { heard.add(m.text()); } }).build()) {
      alice.join().get(10, SECONDS);
      bob.join().get(10, SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> alice.session("bob").isPresent());
      alice.session("bob").orElseThrow().send("hi bob");
      // --- end
      await().atMost(Duration.ofSeconds(20)).until(() -> heard.contains("hi bob"));
    }
  }
}
