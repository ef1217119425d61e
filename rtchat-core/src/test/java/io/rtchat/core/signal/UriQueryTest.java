package io.rtchat.core.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UriQueryTest {

  @Test
  void optionsAreDecodedInOrder() {
    assertThat(UriQuery.parse(URI.create("mqtt://h/r?room=a%20b&flag&x=1")))
        .containsExactly(java.util.Map.entry("room", "a b"), java.util.Map.entry("flag", ""),
            java.util.Map.entry("x", "1"));
    assertThat(UriQuery.parse(URI.create("mqtt://h/r"))).isEmpty();
  }

  @Test
  void aKeyGivenTwiceIsAnError() {
    assertThatThrownBy(() -> UriQuery.parse(URI.create("ws://h/signal?room=a&room=b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'room' given twice");
  }
}
