package io.rtchat.signal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedBrokerTest {

  @Test
  void ephemeralPortsAreReportedAndAcceptConnections() throws IOException {
    try (EmbeddedBroker broker = EmbeddedBroker.start(0, 0)) {
      assertThat(broker.port()).isPositive();
      assertThat(broker.webSocketPort()).isPositive().isNotEqualTo(broker.port());
      assertThat(broker.host()).isEqualTo("127.0.0.1");
      assertThat(accepts("127.0.0.1", broker.port())).isTrue();
      assertThat(accepts("127.0.0.1", broker.webSocketPort())).isTrue();
      assertThat(broker.uri("lobby").toString())
          .isEqualTo("mqtt://127.0.0.1:" + broker.port() + "/lobby?version=3");
      assertThat(broker.webSocketUri("team/dev").toString()).isEqualTo("mqtt+ws://127.0.0.1:"
          + broker.webSocketPort() + "/mqtt?room=team%2Fdev&version=3");
    }
  }

  @Test
  void itListensOnLoopbackOnlyByDefault() {
    Optional<InetAddress> external = nonLoopbackAddress();
    try (EmbeddedBroker broker = EmbeddedBroker.start(0, 0)) {
      external.ifPresent(address -> {
        assertThat(accepts(address.getHostAddress(), broker.port())).isFalse();
        assertThat(accepts(address.getHostAddress(), broker.webSocketPort())).isFalse();
      });
    }
  }

  @Test
  void closingDeletesTheWorkDirectoryAndFreesThePorts() {
    EmbeddedBroker broker = EmbeddedBroker.start(0, 0);
    Path workDir = broker.workDir();
    assertThat(workDir).isDirectory()
        .startsWith(Path.of(System.getProperty("java.io.tmpdir")));

    broker.close();

    assertThat(workDir).doesNotExist();
    assertThat(accepts("127.0.0.1", broker.port())).isFalse();
  }

  @Test
  void aTakenPortIsAClearError() {
    try (EmbeddedBroker first = EmbeddedBroker.start(0, 0)) {
      assertThatThrownBy(() -> EmbeddedBroker.start(first.port(), 0))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(Integer.toString(first.port()));
    }
  }

  private static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          for (InetAddress address : Collections.list(nic.getInetAddresses())) {
            if (address instanceof Inet4Address) {
              return Optional.of(address);
            }
          }
        }
      }
    } catch (IOException e) {
      // none
    }
    return Optional.empty();
  }
}
