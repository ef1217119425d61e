package io.rtchat.signal.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rtchat.core.signal.JoinSpec;
import io.rtchat.core.signal.SignalingException;
import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransports;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mqtts://} and {@code mqtt+wss://} against Mosquitto with TLS listeners whose certificate
 * (made with the JDK's keytool) is trusted through the JVM's standard trust store properties.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MosquittoTlsTest {

  private static final String PASSWORD = "changeit";

  @TempDir
  Path keys;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private String savedTrustStore;
  private String savedTrustStorePassword;

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    restore("javax.net.ssl.trustStore", savedTrustStore);
    restore("javax.net.ssl.trustStorePassword", savedTrustStorePassword);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqtts", "mqtt+wss"})
  void peersExchangePayloadsOverTls(String scheme) throws Exception {
    Path keyStore = keytool();
    MosquittoBroker broker = tlsBroker(keyStore);
    trust(keyStore);
    URI uri = roomUri(scheme, broker);

    RecordingListener bob = new RecordingListener();
    SignalingTransport alice = join(uri, "alice", new RecordingListener());
    join(uri, "bob", bob);
    alice.send("bob", "over tls".getBytes(UTF_8)).get(5, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(15)).until(() -> bob.payloads.contains("over tls"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqtts", "mqtt+wss"})
  void anUntrustedCertificateFailsTheJoinClearly(String scheme) throws Exception {
    Path keyStore = keytool();
    MosquittoBroker broker = tlsBroker(keyStore);
    URI uri = roomUri(scheme, broker);
    SignalingTransport transport = SignalingTransports.providerFor(uri).create(uri);
    toClose.add(transport);

    var joined = transport.join(new JoinSpec("tls-room", "alice", null), new RecordingListener());

    assertThatThrownBy(() -> joined.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SignalingException.class)
        .cause().hasMessageContaining("127.0.0.1:" + uri.getPort())
        .hasMessageContaining("TLS");
  }

  /** Mosquitto with TLS on its TCP and its WebSocket listener. */
  private MosquittoBroker tlsBroker(Path keyStore) {
    MosquittoBroker broker = MosquittoBroker.startWithWebSocket(dir -> tlsListener(keyStore, dir));
    toClose.add(broker);
    return broker;
  }

  /** Room tls-room on the broker's TLS listener for {@code scheme}: TCP or WebSocket. */
  private static URI roomUri(String scheme, MosquittoBroker broker) {
    return URI.create(scheme.equals("mqtts")
        ? "mqtts://127.0.0.1:" + broker.port() + "/tls-room"
        : "mqtt+wss://127.0.0.1:" + broker.webSocketPort() + "/mqtt?room=tls-room");
  }

  private SignalingTransport join(URI uri, String name, RecordingListener listener)
      throws Exception {
    SignalingTransport transport = SignalingTransports.providerFor(uri).create(uri);
    toClose.add(transport);
    transport.join(new JoinSpec("tls-room", name, null), listener).get(10, TimeUnit.SECONDS);
    return transport;
  }

  private void trust(Path keyStore) {
    savedTrustStore = System.getProperty("javax.net.ssl.trustStore");
    savedTrustStorePassword = System.getProperty("javax.net.ssl.trustStorePassword");
    System.setProperty("javax.net.ssl.trustStore", keyStore.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", PASSWORD);
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  /** A self-signed certificate for 127.0.0.1 in a PKCS#12 key store. */
  private Path keytool() throws Exception {
    Path keyStore = keys.resolve("broker.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "broker",
        "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return keyStore;
  }

  /** Writes the certificate and key as PEM for Mosquitto; returns its listener lines. */
  private static List<String> tlsListener(Path keyStore, Path brokerDir) {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      Certificate certificate = store.getCertificate("broker");
      PrivateKey key = (PrivateKey) store.getKey("broker", PASSWORD.toCharArray());
      Path cert = brokerDir.resolve("cert.pem");
      Path keyFile = brokerDir.resolve("key.pem");
      Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
      Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
      // Mosquitto started as root reads them as user mosquitto: a throwaway key, readable by all.
      Files.setPosixFilePermissions(brokerDir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(cert, PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
      return List.of("certfile " + cert, "keyfile " + keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
