package io.rtchat.signal.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.signal.SignalingTransports;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WsOptionsTest {

  private final WsTransportProvider provider = new WsTransportProvider();

  @Test
  void providerServesWsAndWssThroughServiceLoader() {
    assertThat(SignalingTransports.providerFor(URI.create("ws://127.0.0.1:1/signal")))
        .isInstanceOf(WsTransportProvider.class);
    assertThat(SignalingTransports.providerFor(URI.create("wss://example.org/signal")))
        .isInstanceOf(WsTransportProvider.class);
  }

  @Test
  void roomComesFromTheQueryOrTheLastPathSegment() {
    assertThat(provider.roomOf(URI.create("ws://h:1/signal?room=demo"))).isEqualTo("demo");
    assertThat(provider.roomOf(URI.create("ws://h:1/signal/demo"))).isEqualTo("demo");
    assertThat(provider.roomOf(URI.create("ws://h:1/signal/demo?token=x"))).isEqualTo("demo");
    assertThat(provider.roomOf(URI.create("ws://h:1/signal?room=a%20b"))).isEqualTo("a b");
    assertThat(provider.roomOf(URI.create("ws://h:1/signal"))).isNull();
    assertThat(provider.roomOf(URI.create("ws://h:1/"))).isNull();
    assertThat(provider.roomOf(URI.create("ws://h:1"))).isNull();
  }

  @Test
  void endpointDropsTheRoomAndTheQuery() {
    assertThat(WsOptions.parse(URI.create("ws://h:1/signal/demo?token=t")).endpoint())
        .isEqualTo(URI.create("ws://h:1/signal"));
    assertThat(WsOptions.parse(URI.create("ws://h:1/signal?room=demo&token=t")).endpoint())
        .isEqualTo(URI.create("ws://h:1/signal"));
    assertThat(WsOptions.parse(URI.create("wss://h/relay/signal/demo")).endpoint())
        .isEqualTo(URI.create("wss://h/relay/signal"));
    assertThat(WsOptions.parse(URI.create("ws://h:1")).endpoint())
        .isEqualTo(URI.create("ws://h:1/"));
  }

  @Test
  void optionsHaveDefaultsAndCanBeSet() {
    WsOptions defaults = WsOptions.parse(URI.create("ws://h:1/signal"));
    assertThat(defaults.token()).isNull();
    assertThat(defaults.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.giveUpAfter()).isZero();

    WsOptions set = WsOptions.parse(URI.create("ws://h:1/signal?room=r&token=a%2Bb"
        + "&connectTimeoutMs=500&keepAliveSec=5&maxBackoffMs=100&giveUpAfterSec=60"));
    assertThat(set.token()).isEqualTo("a+b");
    assertThat(set.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(set.keepAliveSeconds()).isEqualTo(5);
    assertThat(set.maxBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(set.initialBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(set.giveUpAfter()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void misspelledOrInvalidOptionsAreErrors() {
    assertThatThrownBy(() -> provider.create(URI.create("ws://h:1/signal?tokn=x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokn")
        .hasMessageContaining("known options");
    assertThatThrownBy(() -> provider.create(URI.create("ws://h:1/signal?connectTimeoutMs=soon")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeoutMs");
    assertThatThrownBy(() -> provider.create(URI.create("ws:/signal")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no host");
  }
}
