package io.rtchat.signal.ws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code wss://} against a relay with a self-signed certificate made by the JDK's keytool. */
@Timeout(60)
class WssTransportTest {

  private static final char[] PASSWORD = "changeit".toCharArray();
  private static SSLContext serverTls;
  private static SSLContext clientTls;
  private static StandaloneRelay relay;

  @BeforeAll
  static void startTlsRelay(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("relay.p12");
    Process keytool = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "relay", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), UTF_8);
    assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, PASSWORD);
    serverTls = SSLContext.getInstance("TLS");
    serverTls.init(keyManagers.getKeyManagers(), null, null);

    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("relay", keys.getCertificate("relay"));
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trusted);
    clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, trustManagers.getTrustManagers(), null);

    relay = StandaloneRelay.start("127.0.0.1", 0, RelayLimits.defaults(),
        RelayAuthenticator.OPEN, serverTls);
  }

  @AfterAll
  static void stopRelay() {
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void peersExchangePayloadsOverWss() throws Exception {
    assertThat(relay.uri("demo").getScheme()).isEqualTo("wss");
    RecordingListener bobHears = new RecordingListener();
    try (WsTransport alice = new WsTransport(WsOptions.parse(relay.uri("demo")), clientTls);
         WsTransport bob = new WsTransport(WsOptions.parse(relay.uri("demo")), clientTls)) {
      alice.join(new JoinSpec("demo", "alice", null), new RecordingListener())
          .get(10, TimeUnit.SECONDS);
      bob.join(new JoinSpec("demo", "bob", null), bobHears).get(10, TimeUnit.SECONDS);

      alice.send("bob", "over tls".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);

      assertThat(bobHears.next()).isEqualTo("over tls");
    }
  }

  @Test
  void untrustedCertificateFailsTheJoin() throws Exception {
    SSLContext trustsNothingOfOurs = SSLContext.getInstance("TLS");
    trustsNothingOfOurs.init(null, null, null);
    try (WsTransport mallory =
        new WsTransport(WsOptions.parse(relay.uri("demo")), trustsNothingOfOurs)) {
      ExecutionException error = org.junit.jupiter.api.Assertions.assertThrows(
          ExecutionException.class,
          () -> mallory.join(new JoinSpec("demo", "mallory", null), new RecordingListener())
              .get(15, TimeUnit.SECONDS));
      assertThat(error.getCause()).isInstanceOf(SignalingException.class);
    }
  }
}
