package io.rtchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtchat.identity.Identity;
import io.rtchat.identity.KeyDirectory;
import io.rtchat.identity.KeyDirectoryClient;
import io.rtchat.identity.KeyDirectoryException;
import io.rtchat.identity.PublicKeys;
import io.rtchat.server.config.SettingsLoader;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /api/keys mounted on the real server: register, look up, refuse hijacks and garbage. */
class KeyDirectoryEndpointTest {

  private RtchatServer server;
  private URI keys;

  @BeforeEach
  void start() throws Exception {
    server = RtchatServer.builder().settings(SettingsLoader.defaults()).host("127.0.0.1").port(0)
        .extension(new KeyDirectoryExtension()).build();
    URI base = server.start();
    keys = base.resolve(KeyDirectoryExtension.PATH);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aRegisteredKeyCanBeLookedUpByName() throws Exception {
    Identity alice = Identity.generate();
    KeyDirectoryClient client = new KeyDirectoryClient(keys);

    client.register("alice", alice);

    KeyDirectory.Registration found = client.registration("alice").orElseThrow();
    assertThat(found.fingerprint()).isEqualTo(PublicKeys.fingerprint(alice.publicKey()));
    assertThat(client.registration("nobody")).isEmpty();
  }

  @Test
  void anotherKeyForARegisteredNameIsRefusedWith403() throws Exception {
    KeyDirectoryClient client = new KeyDirectoryClient(keys);
    client.register("alice", Identity.generate());

    assertThatThrownBy(() -> client.register("alice", Identity.generate()))
        .isInstanceOf(KeyDirectoryException.Forbidden.class);
  }

  @Test
  void malformedBodiesGet400WithAJsonErrorNever500() throws Exception {
    for (String body : new String[] {"", "not json", "[]", "{\"name\":5}",
        "{\"name\":\"bob\",\"keyType\":\"ed25519\",\"publicKey\":\"@@@\",\"challenge\":\"x\",\"signature\":\"y\"}"}) {
      Http.Reply reply = Http.postJson(keys, body);

      assertThat(reply.status()).as(body).isEqualTo(400);
      assertThat(reply.json()).as(body).isNotNull();
    }
    Http.Reply oversize = Http.postJson(keys, "x".repeat(KeyDirectory.MAX_BODY_CHARS + 1));
    assertThat(oversize.status()).isEqualTo(413);
    assertThat(Http.postJson(server.uri().resolve("/api/health"), "").status()).isLessThan(500);
  }
}
