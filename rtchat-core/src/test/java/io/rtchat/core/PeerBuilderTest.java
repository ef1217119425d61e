package io.rtchat.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.signal.SignalingTransports.UnknownSchemeException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class PeerBuilderTest {

  @Test
  void anUnknownSchemeListsTheSchemesThatExist() {
    assertThatThrownBy(() -> Peer.builder().name("a").signaling(URI.create("carrier-pigeon://x/room")).build())
        .isInstanceOf(UnknownSchemeException.class)
        .hasMessageContaining("carrier-pigeon").hasMessageContaining("mem");
  }

  @Test
  void anUnknownDialectListsTheDialectsThatExist() {
    assertThatThrownBy(() -> Peer.builder().name("a").signaling(URI.create("mem://x/room?dialect=klingon")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("klingon").hasMessageContaining("native");
  }

  @Test
  void namesAndRoomsAreValidated() {
    assertThatThrownBy(() -> Peer.builder().name("").signaling(URI.create("mem://x/room")).build())
        .hasMessageContaining("name");
    assertThatThrownBy(() -> Peer.builder().name("bad\nname").signaling(URI.create("mem://x/room")).build())
        .hasMessageContaining("control");
    assertThatThrownBy(() -> Peer.builder().name("a").signaling(URI.create("mem://x")).build())
        .hasMessageContaining("no room");
  }

  @Test
  void theRoomComesFromTheUriUnlessGiven() {
    try (Peer fromUri = Peer.builder().name("a").signaling(URI.create("mem://x/lobby")).build();
        Peer given = Peer.builder().name("a").signaling(URI.create("mem://x/lobby")).room("other").build()) {
      assertThat(fromUri.room()).isEqualTo("lobby");
      assertThat(given.room()).isEqualTo("other");
    }
  }
}
