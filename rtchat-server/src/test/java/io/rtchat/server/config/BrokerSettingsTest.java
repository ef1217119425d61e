package io.rtchat.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [Broker]: the embedded MQTT broker's section of settings.toml. */
class BrokerSettingsTest {
  @TempDir
  Path dir;

  @Test
  void byDefaultTheBrokerRunsOnTheServersAddressOnPorts1883And8083() {
    assertIsTheDefault(SettingsLoader.defaults().broker);
  }

  @Test
  void thePrintedDefaultConfigHasTheBrokerSectionWithTheDefaults() throws Exception {
    String text = SettingsLoader.defaultConfigText();
    assertThat(text).contains("[Broker]");
    assertIsTheDefault(SettingsLoader.parse("default", text).broker);
  }

  private static void assertIsTheDefault(Settings.Broker broker) {
    assertThat(broker.enabled).isTrue();
    assertThat(broker.host).isEmpty();
    assertThat(broker.port).isEqualTo(1883);
    assertThat(broker.webSocketPort).isEqualTo(8083);
  }

  @Test
  void aBrokerSectionLoads() throws Exception {
    Settings.Broker broker = SettingsLoader.load(write("""
        [Broker]
        Enabled = true
        Host = "0.0.0.0"
        Port = 11883
        WebSocketPort = 0
        """)).broker;
    assertThat(broker.host).isEqualTo("0.0.0.0");
    assertThat(broker.port).isEqualTo(11883);
    assertThat(broker.webSocketPort).isZero();
    assertThat(SettingsLoader.load(write("[Broker]\nEnabled = false\n")).broker.enabled).isFalse();
  }

  @Test
  void aPortOutOfRangeIsAnErrorNamingFileLineAndKey() throws Exception {
    Path f = write("""
        Title = "x"

        [Broker]
        Port = 1883
        WebSocketPort = 70000
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining(f + ":5:")
        .hasMessageContaining("'Broker.WebSocketPort' must be 0..65535");
  }

  @Test
  void theSamePortForTcpAndWebSocketIsRefused() throws Exception {
    Path f = write("""
        [Broker]
        Port = 1884
        WebSocketPort = 1884
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .hasMessageContaining(f + ":3:")
        .hasMessageContaining("must differ");
  }

  @Test
  void anUnknownOrMistypedKeyIsAnErrorNamingItsLine() throws Exception {
    Path unknown = write("""
        [Broker]
        Enabled = true
        Prot = 1883
        """);
    assertThatThrownBy(() -> SettingsLoader.load(unknown))
        .hasMessageContaining(unknown + ":3:")
        .hasMessageContaining("unknown key 'Broker.Prot'");
    Path mistyped = write("""
        [Broker]
        Port = "1883"
        """);
    assertThatThrownBy(() -> SettingsLoader.load(mistyped))
        .hasMessageContaining(mistyped + ":2:")
        .hasMessageContaining("bad value for key 'Broker.Port'");
  }

  @Test
  void aHostThatIsNoAddressIsRefused() throws Exception {
    Path f = write("""
        [Broker]
        Host = "my host"
        """);
    assertThatThrownBy(() -> SettingsLoader.load(f))
        .hasMessageContaining(f + ":2:")
        .hasMessageContaining("'Broker.Host' must be an address");
  }

  private int counter;

  private Path write(String text) throws Exception {
    Path f = dir.resolve("settings" + (counter++) + ".toml");
    Files.writeString(f, text);
    return f;
  }
}
