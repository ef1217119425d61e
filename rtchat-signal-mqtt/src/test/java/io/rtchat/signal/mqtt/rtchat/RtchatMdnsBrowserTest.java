package io.rtchat.signal.mqtt.rtchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.EventRecorder;
import io.rtchat.core.Peer;
import io.rtchat.signal.mqtt.EmbeddedBroker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A page that hides its host addresses behind {@code .local} names, as ordinary Chrome pages do:
 * the Java peer cannot resolve them, yet the connection forms from the page's checks to the Java
 * peer's host candidates (peer-reflexive candidates).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtchatMdnsBrowserTest {

  private static EmbeddedBroker broker;
  private static BrowserHarness browser;

  @BeforeAll
  static void start() throws Exception {
    String missing = BrowserHarness.missing();
    Assumptions.assumeTrue(missing == null, missing);
    broker = EmbeddedBroker.start(0, 0);
    browser = BrowserHarness.start(true);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aPageWithMdnsHostCandidatesStillConnectsInBothRoles() {
    EventRecorder events = new EventRecorder();
    for (String[] names : new String[][] {{"Ada", "Zak", "m1"}, {"Zia", "Abe", "m2"}}) {
      String page = names[0];
      String java = names[1];
      browser.open(page, names[2], "ws://127.0.0.1:" + broker.webSocketPort() + "/mqtt", true);
      await().atMost(Duration.ofSeconds(20)).until(() -> Boolean.TRUE.equals(browser.eval("window.H && H.ready")));
      try (Peer peer = Peer.builder().name(java).dialect("rtchat")
          .signaling(URI.create("mqtt://127.0.0.1:" + broker.port() + "/" + names[2]))
          .listener(events).build()) {
        peer.join().join();
        events.awaitEvent("connected", page);
        assertThat(peer.session(page).orElseThrow().verified()).isTrue();
        @SuppressWarnings("unchecked")
        List<String> candidates = (List<String>) browser.eval(
            "H.candidatesSent.filter(c => c.includes(' typ host'))");
        assertThat(candidates).isNotEmpty().allSatisfy(c -> assertThat(c).contains(".local "));
      } finally {
        browser.blank();
      }
    }
  }
}
