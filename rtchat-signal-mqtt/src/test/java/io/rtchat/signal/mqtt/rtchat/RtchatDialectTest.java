package io.rtchat.signal.mqtt.rtchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.core.Peer;
import io.rtchat.identity.Identity;
import io.rtchat.identity.KeyType;
import io.rtchat.identity.RtchatKeys;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RtchatDialectTest {

  @Test
  void theDialectIsFoundByName() {
    assertThat(Peer.dialects()).containsKey("rtchat");
    assertThat(Peer.dialects().get("rtchat")).isInstanceOf(RtchatDialect.class);
  }

  @Test
  void roomDefaultsToChatAndComesFromTheUriOrBuilder() {
    try (Peer peer = Peer.builder().name("JavaBot")
        .signaling(URI.create("mqtt+wss://broker.emqx.io:8084/mqtt?dialect=rtchat")).build()) {
      assertThat(peer.room()).isEqualTo("chat");
    }
    try (Peer peer = Peer.builder().name("JavaBot").dialect("rtchat")
        .signaling(URI.create("mqtt://127.0.0.1:1883/lobby")).build()) {
      assertThat(peer.room()).isEqualTo("lobby");
    }
    try (Peer peer = Peer.builder().name("JavaBot").dialect("rtchat").room("x")
        .signaling(URI.create("mqtt+ws://127.0.0.1:9001/mqtt?room=lobby")).build()) {
      assertThat(peer.room()).isEqualTo("x");
    }
  }

  @Test
  void unsuitableConfigurationsAreRefused() {
    assertThatThrownBy(() -> Peer.builder().name("Bob(1)").dialect("rtchat")
        .signaling(URI.create("mqtt://127.0.0.1:1883/chat")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(");
    assertThatThrownBy(() -> Peer.builder().name("JavaBot").dialect("rtchat")
        .signaling(URI.create("mem://x/chat")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mqtt");
    assertThatThrownBy(() -> Peer.builder().name("JavaBot").dialect("rtchat")
        .signaling(URI.create("mqtt://127.0.0.1:1883/chat?colour=red")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
  }

  @Test
  void keysComeFromFilesWhenNamed(@TempDir Path dir) throws Exception {
    Identity identity = Identity.generate(KeyType.RSA_PSS);
    Path key = dir.resolve("rtchat.key");
    identity.save(key);
    Path known = dir.resolve("known.json");
    Files.writeString(known, "{\"Alice\":\"k\"}");
    RtchatOptions options = RtchatOptions.of(new io.rtchat.core.dialect.PeerConfig("JavaBot",
        URI.create("mqtt://127.0.0.1:1883/chat?key=" + key + "&knownPeers=" + known), null, null,
        new io.rtchat.core.PeerListener() {}, io.rtchat.core.ConnectionPolicy.acceptAll(),
        io.rtchat.core.auth.PeerAuthenticator.NONE, io.rtchat.core.signal.EnvelopeSealer.NONE,
        java.util.Map.of(), null, 0, java.util.List.of(), java.time.Duration.ofSeconds(5)));
    assertThat(options.publicKeyString()).isEqualTo(RtchatKeys.publicKeyString(identity.publicKey()));
    assertThat(options.publicKeyString()).startsWith("{\"alg\":\"PS256\",\"e\":\"AQAB\",\"ext\":true,"
        + "\"key_ops\":[\"verify\"],\"kty\":\"RSA\",\"n\":\"");
    assertThat(options.keyStore().get("Alice")).contains("k");
    options.keyStore().pin("Bob", "k2");
    assertThat(RtchatKeyStore.file(known).all()).containsEntry("Bob", "k2").containsEntry("Alice", "k");
    assertThat(options.topic()).isEqualTo("mrtchat/chat");
  }
}
